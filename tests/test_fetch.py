"""safer-report fetch: one force's street files out of an archive laid out as police.uk's, from a local zip or
from a server on 127.0.0.1 (with and without range requests, with a connection that breaks), never the internet."""

from __future__ import annotations

import gzip
import http.server
import io
import re
import threading
import zipfile
from pathlib import Path

import pytest

from conftest import street_csv_text
from helpers import cli
from helpers.inputs import fetch as fetch_module
from helpers.inputs.fetch import FetchError, fetch
from helpers.inputs.police_uk import read_police_uk

MONTHS = ["2022-07", "2022-08", "2022-09"]


def street(month: str, force: str = "Leicestershire Police", extra: int = 0) -> str:
    rows = [
        (f"{month}-{i}", f"Blaby 00{i % 3 + 1}A", ["Burglary", "Drugs", "Shoplifting"][i % 3])
        for i in range(20 + extra)
    ]
    return street_csv_text(month, rows).replace("Leicestershire Police", force)


def archive_bytes(months=MONTHS, changed: str | None = None, filler: int = 1_000_000) -> bytes:
    """police.uk's layout: YYYY-MM/YYYY-MM-<force>-<kind>.csv for two forces, street and outcomes files;
    the other force's files are large (``filler`` bytes each, stored), ours small."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as book:
        for month in months:
            book.writestr(
                f"{month}/{month}-leicestershire-street.csv",
                street(month, extra=5 if month == changed else 0),
                compress_type=zipfile.ZIP_DEFLATED,
            )
            book.writestr(f"{month}/{month}-leicestershire-outcomes.csv", "Crime ID,Month\n")
            book.writestr(
                f"{month}/{month}-nottinghamshire-street.csv", street(month, "Nottinghamshire Police") + "#" * filler
            )
            book.writestr(f"{month}/{month}-nottinghamshire-stop-and-search.csv", "Type,Date\n")
    return out.getvalue()


class Server:
    """An archive served on 127.0.0.1: with or without range requests, optionally breaking the first
    response that carries more than ``break_after`` bytes; counts the bytes it sent."""

    def __init__(self, body: bytes, ranges: bool = True, break_after: int | None = None, status: int = 200):
        self.body, self.ranges, self.break_after, self.status, self.sent = body, ranges, break_after, status, 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if server.status != 200:
                    self.send_error(server.status)
                    return
                start, end = 0, len(server.body) - 1
                wanted = re.fullmatch(r"bytes=(\d+)-(\d+)", self.headers.get("Range", ""))
                if server.ranges and wanted:
                    start, end = int(wanted[1]), min(int(wanted[2]), end)
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{end}/{len(server.body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(end - start + 1))
                self.end_headers()
                part = server.body[start : end + 1]
                if server.break_after is not None and len(part) > server.break_after:
                    part, server.break_after = part[: server.break_after], None
                    self.wfile.write(part)
                    server.sent += len(part)
                    self.close_connection = True
                    return
                self.wfile.write(part)
                server.sent += len(part)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/archive.zip"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def serve():
    servers = []

    def start(*args, **kwargs) -> Server:
        servers.append(Server(*args, **kwargs))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(fetch_module, "RETRY_DELAY", 0)


def kept(folder: Path) -> dict[str, str]:
    return {p.name: gzip.decompress(p.read_bytes()).decode() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_local_archive_gives_exactly_the_forces_street_files(tmp_path):
    (tmp_path / "archive.zip").write_bytes(archive_bytes())
    done = fetch(str(tmp_path / "archive.zip"), "Leicestershire", tmp_path / "into")
    assert kept(tmp_path / "into") == {f"{m}-leicestershire-street.csv.gz": street(m) for m in MONTHS}
    assert done.added == MONTHS and not done.replaced and not done.skipped


def test_over_http_only_the_forces_files_and_the_table_of_contents_are_downloaded(tmp_path, serve):
    body = archive_bytes()
    server = serve(body)
    fetch(server.url, "leicestershire", tmp_path / "into")
    assert kept(tmp_path / "into") == {f"{m}-leicestershire-street.csv.gz": street(m) for m in MONTHS}
    assert server.sent < len(body) / 4, (server.sent, len(body))


def test_a_broken_connection_resumes_and_the_months_are_whole(tmp_path, serve):
    server = serve(archive_bytes(), break_after=1000)
    fetch(server.url, "leicestershire", tmp_path / "into")
    assert server.break_after is None  # the connection did break once
    assert kept(tmp_path / "into") == {f"{m}-leicestershire-street.csv.gz": street(m) for m in MONTHS}


def test_a_server_without_range_requests_is_read_once_start_to_end(tmp_path, serve):
    server = serve(archive_bytes(), ranges=False)
    done = fetch(server.url, "leicestershire", tmp_path / "into")
    assert done.added == MONTHS
    assert kept(tmp_path / "into") == {f"{m}-leicestershire-street.csv.gz": street(m) for m in MONTHS}


def test_a_second_fetch_adds_nothing_and_a_changed_month_is_replaced(tmp_path, capsys):
    archive, into = tmp_path / "archive.zip", tmp_path / "into"
    archive.write_bytes(archive_bytes())
    assert cli.main(["fetch", "--archive", str(archive), "--force", "leicestershire", "--into", str(into)]) == 0
    assert "added 3 (2022-07 to 2022-09), replaced 0, skipped 0" in capsys.readouterr().out
    assert cli.main(["fetch", "--archive", str(archive), "--force", "leicestershire", "--into", str(into)]) == 0
    assert capsys.readouterr().out.strip().endswith("added 0, replaced 0, skipped 3 already present")
    archive.write_bytes(archive_bytes(changed="2022-08"))
    assert cli.main(["fetch", "--archive", str(archive), "--force", "leicestershire", "--into", str(into)]) == 0
    assert "added 0, replaced 1 (2022-08), skipped 2" in capsys.readouterr().out
    assert kept(into)["2022-08-leicestershire-street.csv.gz"] == street("2022-08", extra=5)


def test_a_month_present_as_a_plain_csv_is_not_kept_twice(tmp_path):
    (tmp_path / "archive.zip").write_bytes(archive_bytes())
    folder = tmp_path / "into" / "leicestershire"
    folder.mkdir(parents=True)
    (folder / "2022-07-leicestershire-street.csv").write_text(street("2022-07"))
    (folder / "2022-08-leicestershire-street.csv").write_text(street("2022-08", extra=1))
    done = fetch(str(tmp_path / "archive.zip"), "leicestershire", tmp_path / "into")
    assert (done.added, done.replaced, done.skipped) == (["2022-09"], ["2022-08"], ["2022-07"])
    assert sorted(p.name for p in folder.iterdir()) == [
        "2022-07-leicestershire-street.csv",
        "2022-08-leicestershire-street.csv.gz",
        "2022-09-leicestershire-street.csv.gz",
    ]


def test_the_fetched_months_read_as_the_same_files_given_directly(tmp_path):
    direct = tmp_path / "direct"
    direct.mkdir()
    for month in MONTHS:
        (direct / f"{month}-leicestershire-street.csv").write_text(street(month))
    (tmp_path / "archive.zip").write_bytes(archive_bytes())
    fetch(str(tmp_path / "archive.zip"), "leicestershire", tmp_path / "into")
    fetched, given = read_police_uk(tmp_path / "into"), read_police_uk(direct)
    assert fetched.counts.equals(given.counts) and fetched.quality.equals(given.quality)


def test_a_force_not_in_the_archive_names_the_closest(tmp_path, capsys):
    (tmp_path / "archive.zip").write_bytes(archive_bytes())
    with pytest.raises(FetchError, match="no force 'leicestershir' in this archive; did you mean leicestershire"):
        fetch(str(tmp_path / "archive.zip"), "leicestershir", tmp_path / "into")
    assert cli.main(["fetch", "--archive", str(tmp_path / "archive.zip"), "--force", "kent"]) == 2
    assert capsys.readouterr().err.strip().endswith("no force 'kent' in this archive; it has 2 forces")


@pytest.mark.parametrize("status, words", [(404, "the server answered 404"), (503, "download failed after 5 tries")])
def test_a_server_error_is_one_line_and_writes_nothing(status, words, tmp_path, serve, capsys):
    server = serve(b"", status=status)
    into = tmp_path / "into"
    assert cli.main(["fetch", "--archive", server.url, "--force", "leicestershire", "--into", str(into)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()  # progress lines (the retries), then the error
    assert [line for line in lines if line.startswith("safer-report: error:")] == lines[-1:]
    assert words in lines[-1]
    assert not into.exists()


def test_not_a_zip_is_one_line(tmp_path, capsys):
    (tmp_path / "archive.zip").write_text("<html>Not found</html>")
    assert cli.main(["fetch", "--archive", str(tmp_path / "archive.zip"), "--force", "leicestershire"]) == 2
    assert "not a zip archive" in capsys.readouterr().err


def test_an_interrupted_fetch_leaves_whole_months_and_no_part_file(tmp_path, monkeypatch, capsys):
    (tmp_path / "archive.zip").write_bytes(archive_bytes())
    written = []
    real_write = gzip.GzipFile.write

    def write(self, data):
        written.append(len(data))
        if len(written) == 2:  # during the second month
            cli._interrupt(2, None)
        return real_write(self, data)

    monkeypatch.setattr(gzip.GzipFile, "write", write)
    into = tmp_path / "into"
    assert (
        cli.main(
            ["fetch", "--archive", str(tmp_path / "archive.zip"), "--force", "leicestershire", "--into", str(into)]
        )
        == 130
    )
    assert "no half-written month is left" in capsys.readouterr().err
    monkeypatch.undo()
    assert kept(into) == {"2022-07-leicestershire-street.csv.gz": street("2022-07")}
