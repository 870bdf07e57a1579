"""Another force, set up as the README's "Setting up another force" says: its police.uk files as published in a
folder of their own, its partnerships file (a 14-district partnership with no partner data), then validate and
build with --partnerships. Nothing is rewritten; every output is checked for its counts, for words that belong to
the shipped force or to the sample extract, and for fitting the A4 page."""

import collections
import csv
import gzip
import os
import re
import shutil
import subprocess
import zipfile
from html import unescape

import pytest

import another_force
from conftest import require_tool
from helpers import cli, config
from helpers.quarters import parse_quarter

PACK, QUARTER = "pan-lancashire", "2022-23-Q2"
LEICESTERSHIRE = re.compile(
    r"Leicest|Rutland|Blaby|Charnwood|Harborough|Hinckley|Bosworth|Melton|Oadby|Wigston|"
    r"Loughborough|Coalville|Lutterworth",
    re.IGNORECASE,
)
SAMPLE = re.compile(r"\bsample\b|illustrative (data|figures)", re.IGNORECASE)  # not the column `illustrative`


@pytest.fixture(scope="module")
def force(tmp_path_factory):
    """Steps 1 to 3 of the README's section: the files in a folder, the partnerships file, validate, build."""
    home = tmp_path_factory.mktemp("lancashire")
    police, partnerships, out = home / "police_uk" / "lancashire", home / "lancashire.yaml", home / "outputs"
    files = another_force.write_force(police)
    partnerships.write_text(another_force.PARTNERSHIPS_YAML, encoding="utf-8")
    chosen = ["--partnerships", str(partnerships), "--partnership", PACK, "--police-uk", str(police)]
    assert cli.main(["validate", *chosen]) == 0
    assert cli.main(["build", *chosen, "--out", str(out)]) == 0
    return {"files": files, "folder": out / QUARTER / PACK, "chosen": chosen}


def independent_counts(files) -> tuple[collections.Counter, collections.Counter]:
    """With csv (and gzip) only, every row: (indicator, district, month) counts, and per month the records that
    repeat a Crime ID already seen in the month's file (value: [repeats, exact copies])."""
    counts, repeats = collections.Counter(), collections.Counter()
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8", newline="") as handle:
            seen, rows = set(), set()
            for record in csv.DictReader(handle):
                if record["Crime ID"]:
                    whole = tuple(record.values())
                    repeats[(record["Month"], "repeats")] += record["Crime ID"] in seen
                    repeats[(record["Month"], "exact")] += whole in rows
                    seen.add(record["Crime ID"]), rows.add(whole)
                if record["LSOA name"]:
                    indicator = "asb_total" if record["Crime type"] == "Anti-social behaviour" else "total_crime"
                    counts[(indicator, record["LSOA name"].rsplit(" ", 1)[0], record["Month"])] += 1
    return counts, repeats


def outputs_text(folder) -> dict[str, str]:
    """Every output's words: the HTML without its tags, the CSVs and Markdown, and the XML inside the Excel and
    Word files."""
    texts = {}
    for path in folder.rglob("*"):
        if path.suffix in (".html", ".md", ".csv"):
            text = path.read_text(encoding="utf-8")
            texts[path.name] = unescape(re.sub(r"<[^>]+>", " ", text)) if path.suffix == ".html" else text
        elif path.suffix in (".xlsx", ".docx"):
            with zipfile.ZipFile(path) as archive:
                texts[path.name] = " ".join(
                    unescape(re.sub(r"<[^>]+>", " ", archive.read(n).decode("utf-8")))
                    for n in archive.namelist()
                    if n.endswith(".xml")
                )
    return texts


def test_numerators_are_an_independent_count_of_every_row(force):
    counts, _ = independent_counts(force["files"])
    quarter = parse_quarter(QUARTER)
    year = {str(quarter.end_month - i) for i in range(12)}
    latest = {str(quarter.end_month - i) for i in range(3)}
    county = set(another_force.DISTRICTS.values()) - {"Blackburn with Darwen", "Blackpool"}
    areas = {
        **{name: {name} for name in another_force.DISTRICTS.values()},
        "Lancashire": county,
        "Pan-Lancashire": set(another_force.DISTRICTS.values()),
    }
    with open(force["folder"] / "indicators.csv", encoding="utf-8", newline="") as handle:
        table = {(r["indicator_id"], r["area"]): r for r in csv.DictReader(handle)}
    checked = 0
    for indicator in ("total_crime", "asb_total"):
        for area, districts in areas.items():
            row = table[(indicator, area)]
            expected = sum(n for (i, d, m), n in counts.items() if i == indicator and d in districts and m in year)
            in_quarter = sum(n for (i, d, m), n in counts.items() if i == indicator and d in districts and m in latest)
            assert (float(row["numerator"]), float(row["quarter_numerator"])) == (expected, in_quarter), (
                indicator,
                area,
            )
            checked += 1
    assert checked == 32 and table[("total_crime", "Pan-Lancashire")]["illustrative"] == "False"


def test_repeated_crime_ids_are_counted_and_reported(force):
    _, repeats = independent_counts(force["files"])
    html = outputs_text(force["folder"])["report.html"]
    in_year = {m: n for (m, kind), n in repeats.items() if kind == "repeats" and n and "2020-10" <= m <= "2022-09"}
    exact = sum(n for (m, kind), n in repeats.items() if kind == "exact" and m in in_year)
    said = re.search(r"([\d,]+) records repeat the Crime ID .*?(\d+) of them are exact copies", html, re.DOTALL)
    assert said and (int(said[1]), int(said[2])) == (sum(in_year.values()), exact) and exact < sum(in_year.values())


def test_no_output_calls_missing_partner_data_a_sample_or_names_a_leicestershire_place(force):
    texts = outputs_text(force["folder"])
    assert {"report.html", "board-paper.md", "board-paper.docx", "dashboard.xlsx", "indicators.csv"} <= set(texts)
    assert "no partner data" in texts["report.html"]
    for name, text in texts.items():
        assert not SAMPLE.search(text), (name, re.search(r".{60}(" + SAMPLE.pattern + ").{60}", text, re.I | re.S))
        assert not LEICESTERSHIRE.search(text), (
            name,
            re.search(r".{60}(" + LEICESTERSHIRE.pattern + ").{60}", text, re.I | re.S),
        )


def test_the_a4_pdfs_district_tables_show_every_areas_value(force, chromium):
    """Chromium cuts what is wider than the page: a column cut off is missing from the PDF's words."""
    require_tool("pdftotext (apt-get install poppler-utils)", shutil.which("pdftotext") is not None)
    layout = subprocess.run(
        ["pdftotext", "-bbox", str(force["folder"] / "report.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', layout, re.DOTALL)
    assert pages and all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h, _ in pages)  # A4
    words = [w for _, _, page in pages for w in re.findall(r">([^<]+)</word>", page)]
    start = words.index(
        "breakdown"
    )  # Reduce crime's district tables: up to its chart of each district against the rest
    end = next(i for i in range(start, len(words)) if words[i : i + 3] == ["against", "the", "rest"])
    tables = words[start:end]
    with open(force["folder"] / "indicators.csv", encoding="utf-8", newline="") as handle:
        values = {
            r["area"]: f"{float(r['value']):,.2f}" for r in csv.DictReader(handle) if r["indicator_id"] == "total_crime"
        }
    assert len(values) == 16 and [area for area, value in values.items() if value not in tables] == []


def test_make_report_passes_the_partnership_its_file_and_the_police_uk_folder(force):
    require_tool("make", shutil.which("make") is not None)
    partnerships, police = force["chosen"][1], force["chosen"][5]
    alone = {
        k: v for k, v in os.environ.items() if k not in ("MAKELEVEL", "MAKEFLAGS", "MFLAGS")
    }  # as under `make test`
    dry = subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-n",
            "report",
            f"PARTNERSHIP={PACK}",
            f"PARTNERSHIPS={partnerships}",
            f"POLICE_UK={police}",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=config.ROOT,
        env=alone,
    ).stdout.splitlines()[-1]
    assert dry.split()[1:] == [
        "build",
        "--partnerships",
        f'"{partnerships}"',
        "--police-uk",
        f'"{police}"',
        "--partnership",
        f'"{PACK}"',
    ]
