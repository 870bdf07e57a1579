"""Check a built report: axe-core accessibility rules on report.html, optional screenshots.

Run from the repository root, after ``npm install`` (for axe-core) and with Debian's
chromium and poppler-utils installed::

    python scripts/check_report.py outputs/2022-23-Q2
    python scripts/check_report.py outputs/2022-23-Q2 --screenshots review/2022-23-Q2

Prints every axe violation. Exit status: 0 when none is serious or critical, 1 when
some are, 2 when the check could not run (no report.html, no Chromium or axe-core).

``--screenshots DIR`` writes PNGs for a person to look at: the HTML rendered in a tall
window (8000 px), cut into 2000-px tiles (html-1.png, html-2.png, ...), and each page of
report.pdf at 60 dpi (pdf-page-1.png or pdf-page-01.png, ...: pdftoppm pads
the number to the page count's width) when the PDF and pdftoppm are there.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

try:
    from helpers.errors import SaferReportError
except ImportError:  # run from a checkout without `pip install -e .`
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    from helpers.errors import SaferReportError
import page_checks  # beside this script


def report_axe(html_path: Path, axe_js: str | None) -> int:
    """Print axe's violations; return how many are serious or critical."""
    violations = page_checks.run_axe(html_path, axe_js=axe_js)
    serious = page_checks.serious_violations(violations)
    version = page_checks.axe_version(axe_js) or "?"
    print(f"axe-core {version} on {html_path}: {len(violations)} violation(s), {len(serious)} serious or critical")
    order = {"critical": 0, "serious": 1, "moderate": 2, "minor": 3}
    for v in sorted(violations, key=lambda v: (order.get(v["impact"], 9), v["id"])):
        shown = ", ".join(v["targets"][:5]) + (f", ... ({v['nodes'] - 5} more)" if v["nodes"] > 5 else "")
        print(f"  {v['impact'] or '-':<9} {v['id']}: {v['help']} [{v['nodes']} node(s): {shown}]")
        if v.get("help_url"):
            print(f"            {v['help_url']}")
    return len(serious)


def html_screenshots(html_path: Path, out_dir: Path, width: int, height: int, tile: int) -> list[Path]:
    """Screenshot the page in a width x height window and cut it into tiles; blank tiles are dropped."""
    tall = out_dir / "html-full.png"
    page_checks.screenshot(html_path, tall, width=width, height=height)
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib; without it keep the one tall image
        return [tall]
    written = []
    with Image.open(tall) as image:
        for number, top in enumerate(range(0, image.height, tile), start=1):
            piece = image.crop((0, top, image.width, min(top + tile, image.height)))
            lo_hi = piece.convert("L").getextrema()
            if number > 1 and lo_hi[0] == lo_hi[1]:
                break  # the page ended above this tile
            path = out_dir / f"html-{number}.png"
            piece.save(path)
            written.append(path)
    tall.unlink()
    return written


def pdf_pages(pdf_path: Path, out_dir: Path) -> list[Path]:
    """Each PDF page as a 60 dpi PNG via pdftoppm (poppler-utils)."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        print("note: pdftoppm not found (apt-get install poppler-utils): PDF pages not rendered", file=sys.stderr)
        return []
    for old in out_dir.glob("pdf-page-*.png"):
        old.unlink()
    done = subprocess.run(
        [pdftoppm, "-png", "-r", "60", str(pdf_path), str(out_dir / "pdf-page")], capture_output=True, text=True
    )
    if done.returncode:
        last = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        print(f"note: pdftoppm failed on {pdf_path}: {last}", file=sys.stderr)
    return sorted(out_dir.glob("pdf-page-*.png"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "report", type=Path, help="a report folder holding report.html (and report.pdf), or an HTML file"
    )
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="write review PNGs into DIR")
    parser.add_argument(
        "--axe-js", metavar="FILE", help="axe.min.js to use (default: $AXE_CORE_JS, then node_modules/axe-core)"
    )
    parser.add_argument("--width", type=int, default=1280, help="window width in pixels (1280)")
    parser.add_argument(
        "--height", type=int, default=8000, help="window height in pixels: how much of the page is captured (8000)"
    )
    parser.add_argument("--tile", type=int, default=2000, help="height of each screenshot tile (2000)")
    args = parser.parse_args(argv)

    html_path = args.report if args.report.suffix.lower() in (".html", ".htm") else args.report / "report.html"
    pdf_path = html_path.with_suffix(".pdf")
    if not html_path.is_file():
        print(f"check_report: error: {html_path} does not exist (build the report first)", file=sys.stderr)
        return 2
    try:
        serious = report_axe(html_path, args.axe_js)
        if args.screenshots:
            args.screenshots.mkdir(parents=True, exist_ok=True)
            shots = html_screenshots(html_path, args.screenshots, args.width, args.height, args.tile)
            if pdf_path.is_file():
                shots += pdf_pages(pdf_path, args.screenshots)
            else:
                print(f"note: no {pdf_path}: PDF pages not rendered", file=sys.stderr)
            print(f"wrote {len(shots)} screenshot(s) to {args.screenshots}")
    except SaferReportError as error:
        print(f"check_report: error: {error}", file=sys.stderr)
        return 2
    return 1 if serious else 0


if __name__ == "__main__":
    sys.exit(main())
