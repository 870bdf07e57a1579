"""``safer-report``: build a quarter's report, validate inputs, fetch police.uk's files, write data-return templates.

Each subcommand is one function registered with its arguments (``@command``); ``main`` parses
and dispatches. Every problem the user can fix is printed as one line and exits non-zero;
``--debug`` shows the traceback as well.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, NoReturn

from .errors import Interrupted, SaferReportError, one_line

if TYPE_CHECKING:
    from .pipeline.orchestrate import BuildResult


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line like every other error."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"safer-report: error: {message} (see {self.prog} --help)\n")


@dataclass(frozen=True)
class Command:
    """One subcommand: its help line, its arguments and what it does (returning nothing, or raising)."""

    help: str
    arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], None]


COMMANDS: dict[str, Command] = {}  # name -> Command, in the order ``safer-report --help`` lists them


def command(
    name: str, help: str, arguments: Callable[[argparse.ArgumentParser], None]
) -> Callable[[Callable[[argparse.Namespace], None]], Callable[[argparse.Namespace], None]]:
    """Register the decorated function as subcommand ``name``, its arguments added by ``arguments``."""

    def register(run: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
        COMMANDS[name] = Command(help, arguments, run)
        return run

    return register


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="safer-report", description="Safer Communities quarterly performance report.")
    parser.add_argument("--debug", action="store_true", help="show a traceback on error")
    subcommands = parser.add_subparsers(dest="command", required=True)
    for name, registered in COMMANDS.items():
        registered.arguments(subcommands.add_parser(name, help=registered.help))
    return parser


def _partnership(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--partnership",
        metavar="ID",
        help="a partnership id of the partnerships file (default: partnership in params/defaults.yaml "
        "if the file has it, else the file's first)",
    )
    command.add_argument(
        "--partnerships",
        type=Path,
        metavar="FILE",
        help="the partnerships file, e.g. another force's (default: params/partnerships.yaml)",
    )


def _inputs(command: argparse.ArgumentParser) -> None:
    command.add_argument("--quarter", help="e.g. 2022-23-Q2 (default: the latest quarter the data fully covers)")
    command.add_argument(
        "--police-uk", type=Path, help="folder of police.uk *-street.csv files (default: data/police_uk)"
    )
    command.add_argument("--params", type=Path, help="quarter params YAML (default: params/<quarter>.yaml if present)")
    command.add_argument("--local", type=Path, help="local extract: tidy CSV or a filled Excel data return")
    _partnership(command)


def _quarter_label(quarter: str | None) -> str | None:
    """The quarter as its label ("2022/23 Q2" -> "2022-23-Q2"); a malformed one is a one-line error."""
    from .quarters import parse_quarter

    return None if quarter is None else parse_quarter(quarter).label


def _build_arguments(build: argparse.ArgumentParser) -> None:
    _inputs(build)
    build.add_argument(
        "--all-partnerships",
        action="store_true",
        help="build every partnership of the partnerships file, and outputs/<quarter>/index.html",
    )
    build.add_argument(
        "--group",
        metavar="ID",
        help="with --all-partnerships: only the partnerships whose districts all lie in this group "
        "(an id under groups, or a partnership's id)",
    )
    build.add_argument("--out", type=Path, help="folder to write <quarter>/ into (default: outputs/)")
    build.add_argument("--force", action="store_true", help="rebuild even if nothing changed")
    build.add_argument(
        "--strict",
        action="store_true",
        help="fail, instead of warning, when a figure in the commentary disagrees with indicators.csv",
    )


@command(
    "build",
    help="build a quarter's report into outputs/<quarter>/ (another partnership's into outputs/<quarter>/<id>/)",
    arguments=_build_arguments,
)
def _build(args: argparse.Namespace) -> None:
    from .pipeline.orchestrate import build, build_all

    quarter = _quarter_label(args.quarter)
    if args.all_partnerships and (args.partnership or args.params):
        raise SaferReportError(
            "--all-partnerships builds every partnership with its own params: leave out --partnership and --params"
        )
    if args.group and not args.all_partnerships:
        raise SaferReportError(
            "--group chooses the packs of --all-partnerships: add --all-partnerships, or "
            "name one pack with --partnership"
        )
    if args.all_partnerships:
        results = build_all(
            quarter,
            police_uk=args.police_uk,
            out=args.out,
            local=args.local,
            force=args.force,
            strict=args.strict,
            partnerships=args.partnerships,
            group=args.group,
        )
    else:
        results = [
            build(
                quarter,
                police_uk=args.police_uk,
                params_file=args.params,
                out=args.out,
                local=args.local,
                force=args.force,
                strict=args.strict,
                partnership=args.partnership,
                partnerships=args.partnerships,
            )
        ]
    _report(results)


@command("validate", help="check every input for a quarter without building", arguments=_inputs)
def _validate(args: argparse.Namespace) -> None:
    from .analysis.compute import compute
    from .analysis.gaps import months_held

    results = compute(
        _quarter_label(args.quarter),
        police_uk=args.police_uk,
        params_file=args.params,
        local=args.local,
        partnership=args.partnership,
        partnerships_file=args.partnerships,
    )
    partnership = results.partnership
    assert partnership is not None  # compute always chooses one
    for warning in results.data_warnings:
        print(f"safer-report: warning: {one_line(warning)}", file=sys.stderr)
    police = [i.id for i in results.catalogue.values() if i.source == "police_uk"]
    for district, held in months_held(results.monthly, police, partnership.districts).items():
        print(f"{district}: police.uk data for {held}")
    missing = results.rows()[results.rows()["status"] != "available"]
    print(
        f"All inputs valid for {results.quarter.label}, {partnership.name}: {len(results.files)} files, "
        f"{len(results.catalogue)} indicators, {len(missing)} not available"
        + (f" ({', '.join(missing['indicator_id'])})" if len(missing) else "")
    )


def _template_arguments(template: argparse.ArgumentParser) -> None:
    template.add_argument("--quarter", required=True, help="e.g. 2022-23-Q2")
    _partnership(template)
    template.add_argument("--out", type=Path, help="file to write (default: local-return-<quarter>.xlsx)")


@command("template", help="write an Excel data return for partners to fill in", arguments=_template_arguments)
def _template(args: argparse.Namespace) -> None:
    from .inputs.catalogue import load_catalogue
    from .inputs.partners_return import write_return_template
    from .inputs.partnerships import choose
    from .quarters import parse_quarter

    quarter = parse_quarter(args.quarter).label
    path = args.out or Path(f"local-return-{quarter}.xlsx")
    write_return_template(quarter, path, load_catalogue(), choose(args.partnership, path=args.partnerships).districts)
    which = f" --partnership {args.partnership}" if args.partnership else ""
    print(
        f"Wrote {path}: fill in the numerator (and denominator) columns, then "
        f"safer-report build --quarter {quarter}{which} --local {path}"
    )


def _fetch_arguments(fetch: argparse.ArgumentParser) -> None:
    fetch.add_argument(
        "--archive",
        required=True,
        metavar="URL_OR_ZIP",
        help="police.uk's archive: https://data.police.uk/data/archive/YYYY-MM.zip (or latest.zip), "
        "or a downloaded copy",
    )
    fetch.add_argument(
        "--force", required=True, metavar="NAME", help="the force as the archive names it, e.g. leicestershire"
    )
    fetch.add_argument("--into", type=Path, help="folder to keep the months in (default: data/police_uk)")


@command("fetch", help="keep one force's street files out of police.uk's archive zip", arguments=_fetch_arguments)
def _fetch(args: argparse.Namespace) -> None:
    from . import config
    from .inputs.fetch import fetch

    into = args.into or config.POLICE_UK
    try:
        done = fetch(args.archive, args.force, into)
    except Interrupted:
        raise Interrupted("interrupted; the months kept so far are whole, and no half-written month is left") from None
    print(done.summary(args.force, into))


def _new_quarter_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("quarter", help="e.g. 2022-23-Q3")
    new.add_argument("--force", action="store_true", help="overwrite an existing params file")
    _partnership(new)


@command(
    "new-quarter",
    help="write params/<quarter>.yaml from the previous quarter's, commentary emptied",
    arguments=_new_quarter_arguments,
)
def _new_quarter(args: argparse.Namespace) -> None:
    from .errors import InputError
    from .inputs.params import new_quarter_params, quarter_params_path
    from .inputs.partnerships import choose
    from .quarters import parse_quarter

    quarter = parse_quarter(args.quarter)
    chosen = choose(args.partnership, path=args.partnerships).id
    path = quarter_params_path(quarter.label, chosen)
    if path.exists() and not args.force:
        raise InputError("already exists: edit it, or use --force to replace it", file=path)
    text = new_quarter_params(quarter.label, quarter.previous().label, chosen)
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    print(f"Wrote {path}")


def _log_to_stderr(debug: bool) -> logging.Handler:
    """Show the helpers' progress on stderr, one plain line each (``--debug``: diagnostics too). Of the INFO lines,
    only the pipeline's progress is shown: what the inputs and analysis layers read and computed, and the details
    kept for build.log (``DETAIL``), are for build.log, so that a broken input stays one line here."""
    from .pipeline.build_log import DETAIL

    def shown(record: logging.LogRecord) -> bool:
        return record.levelno > logging.INFO or (record.name.startswith("helpers.pipeline.") and record.name != DETAIL)

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    if not debug:
        handler.addFilter(shown)
    logger = logging.getLogger("helpers")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG if debug else logging.INFO)
    return handler


def run(argv: list[str] | None = None) -> None:
    """The ``safer-report`` command."""
    sys.exit(main(argv))


def _interrupt(number: int, frame: FrameType | None) -> None:
    """SIGINT and SIGTERM stop the command; a build removes its staging folders on the way out."""
    raise Interrupted


def main(argv: list[str] | None = None) -> int:
    """Run the subcommand ``argv`` names; its exit status (0, 2 for a problem the user can fix, 130 interrupted)."""
    args = _parser().parse_args(argv)
    progress = _log_to_stderr(args.debug)
    in_main = threading.current_thread() is threading.main_thread()
    handled = (signal.SIGINT, signal.SIGTERM)
    previous = {number: signal.signal(number, _interrupt) for number in handled} if in_main else {}
    try:
        COMMANDS[args.command].run(args)
        return 0
    except SaferReportError as error:
        if args.debug:
            traceback.print_exc()
        print(f"safer-report: error: {one_line(str(error))}", file=sys.stderr)
        return 2
    except (Interrupted, KeyboardInterrupt) as interrupt:
        print(f"safer-report: {str(interrupt) or 'interrupted; previous outputs are unchanged'}", file=sys.stderr)
        return 130
    except Exception as error:  # last resort: a bug or an unforeseen system error, still one line
        if args.debug:
            traceback.print_exc()
        detail = one_line(" ".join(str(error).split()) or "no details")
        print(
            f"safer-report: unexpected error: {type(error).__name__}: {detail} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
    finally:
        logging.getLogger("helpers").removeHandler(progress)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _report(results: list[BuildResult]) -> None:
    """What each pack's build did: built (with its files), up to date, not built (a missing tool), warnings."""
    for result in results:
        which = f"{result.folder.name}: " if len(results) > 1 else ""
        for warning in result.warnings:
            print(f"safer-report: warning: {which}{one_line(warning)}", file=sys.stderr)
        if not result.up_to_date:
            made = sorted(p.name for p in result.folder.iterdir() if p.is_file() and not p.name.startswith("."))
            print(
                f"Built {result.folder} ({', '.join(made)})"
                + ("" if len(results) > 1 else f" in {result.timings.get('total', 0):.1f} s")
            )
    if len(results) > 1:
        print(f"{len(results)} packs in {results[-1].timings.get('total', 0):.1f} s; index: {results[0].index}")
    skipped = sorted({item for result in results for item in result.skipped})
    if skipped:
        print(f"Not built: {'; '.join(skipped)}")


if __name__ == "__main__":
    run()
