"""``safer-report fetch``: one force's monthly street files out of police.uk's archive.

police.uk's archive (``https://data.police.uk/data/archive/YYYY-MM.zip``, or ``latest.zip``) is one zip of every
force's street, outcomes and stop-and-search files for 36 months, laid out as
``YYYY-MM/YYYY-MM-<force>-street.csv``: about 2 GB. A zip's table of contents is at its end, so with HTTP range
requests (RFC 9110 §14) only that table and the force's street files are downloaded: the archive is never held in
memory nor written to disk, and a broken connection resumes from the byte it stopped at. A server that does not
allow ranges is read once from start to end into a temporary file, deleted afterwards.

The HTTP client is the standard library's ``urllib``: it streams, sends ``Range`` headers, and honours
``HTTPS_PROXY``/``HTTP_PROXY`` from the environment, which is all this needs.

Each month is written as ``<into>/<force>/YYYY-MM-<force>-street.csv.gz`` (gzip, no timestamp: the same rows give
the same bytes) through a temporary file renamed into place, so no half-written month is ever left.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import io
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from http.client import HTTPException
from pathlib import Path

from ..errors import InputError, SaferReportError

log = logging.getLogger(__name__)

MEMBER = re.compile(r"(?:^|/)(\d{4}-\d{2})-([a-z0-9-]+?)-(street|outcomes|stop-and-search)\.csv$")
ATTEMPTS = 5  # tries of one request before giving up
RETRY_DELAY = 2.0  # seconds before the first retry, doubled at each next one
TIMEOUT = 60  # seconds without a byte before a request counts as broken
BUFFER = 64 << 10  # bytes read ahead for zipfile's small reads (headers); a member's data comes in larger reads


class FetchError(SaferReportError):
    """The archive cannot be read, or the force is not in it."""


@dataclass
class Fetched:
    """What a fetch did, month by month."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def summary(self, force: str, folder: Path) -> str:
        def months(names: list[str]) -> str:
            return f" ({names[0]} to {names[-1]})" if len(names) > 1 else f" ({names[0]})" if names else ""

        return (
            f"{force} into {folder}: added {len(self.added)}{months(self.added)}, replaced "
            f"{len(self.replaced)}{months(self.replaced)}, skipped {len(self.skipped)} already present"
        )


def fetch(archive: str, force: str, into: Path) -> Fetched:
    """Keep ``force``'s street files of ``archive`` (an http(s) URL or a local .zip) in ``into/<force>/``."""
    if re.match(r"https?://", archive):
        source = RangeFile(archive)
        if not source.ranges:
            return _from_download(archive, force, into)
        return _from_zip(io.BufferedReader(source, buffer_size=BUFFER), archive, force, into)
    path = Path(archive)
    if not path.is_file():
        raise InputError("no such file (give a local .zip or an http(s) URL)", file=archive)
    with open(path, "rb") as handle:
        return _from_zip(handle, archive, force, into)


def _from_zip(handle, archive: str, force: str, into: Path) -> Fetched:
    try:
        book = zipfile.ZipFile(handle)
    except zipfile.BadZipFile:
        raise InputError("not a zip archive (police.uk's archive is one .zip)", file=archive) from None
    with book:
        members: dict[str, list[tuple[str, str, zipfile.ZipInfo]]] = {}
        for info in book.infolist():
            match = MEMBER.search(info.filename)
            if match:
                members.setdefault(match.group(2), []).append((match.group(1), match.group(3), info))
        wanted = force.strip().lower().replace(" ", "-")
        if wanted not in members:
            close = difflib.get_close_matches(wanted, sorted(members), n=3, cutoff=0.5)
            hint = f"; did you mean {' or '.join(close)}?" if close else f"; it has {len(members)} forces"
            raise FetchError(f"{archive}: no force '{force}' in this archive{hint}")
        streets = sorted((month, info) for month, kind, info in members[wanted] if kind == "street")
        folder = into / wanted
        folder.mkdir(parents=True, exist_ok=True)
        done = Fetched()
        for month, info in streets:
            with book.open(info) as member:
                outcome = _keep(member, folder, f"{month}-{wanted}-street.csv")
            getattr(done, outcome).append(month)
            log.info("%s %s", month, outcome)
    return done


def _keep(member, folder: Path, name: str) -> str:
    """Write one month's CSV as ``name``.gz unless the folder holds the same rows already; which it was."""
    target = folder / f"{name}.gz"
    present = [p for p in (folder / name, target) if p.exists()]
    temporary = folder / f".{name}.{secrets.token_hex(6)}.part"
    try:
        digest = hashlib.sha256()
        # 0o666 less the umask, as open() makes a file (a NamedTemporaryFile would be 0o600)
        with (
            os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as handle,
            gzip.GzipFile(fileobj=handle, mode="wb", mtime=0, filename="") as packed,
        ):
            while chunk := member.read(1 << 20):
                digest.update(chunk)
                packed.write(chunk)
        if any(_content_hash(p) == digest.hexdigest() for p in present):
            temporary.unlink()
            return "skipped"
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        if isinstance(error, urllib.error.URLError):
            raise
        raise FetchError(f"{target}: cannot write ({error.strerror}); no half-written month is left") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    for other in present:
        if other != target:
            other.unlink()  # the month's other copy (a plain .csv) would be the same month twice
    return "replaced" if present else "added"


def _content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _from_download(url: str, force: str, into: Path) -> Fetched:
    """For a server without range requests: the archive once, start to end, into a temporary file."""
    log.info("%s does not allow range requests: downloading the whole archive to a temporary file", url)
    with tempfile.TemporaryFile() as spool:
        for attempt in range(ATTEMPTS):
            try:
                spool.seek(0)
                spool.truncate()
                with _open(url) as response:
                    shutil.copyfileobj(response, spool, 1 << 20)
                    if response.length:  # the body ended before its Content-Length
                        raise HTTPException(f"{response.length} bytes short")
                break
            except _BROKEN as error:
                _wait_or_fail(url, attempt, error)
        spool.seek(0)
        return _from_zip(spool, url, force, into)


_BROKEN = (urllib.error.URLError, HTTPException, OSError)


def _open(url: str, headers: dict | None = None):
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=TIMEOUT)


def _wait_or_fail(url: str, attempt: int, error: BaseException) -> None:
    if isinstance(error, urllib.error.HTTPError) and error.code < 500 and error.code != 429:
        raise FetchError(f"{url}: the server answered {error.code} {error.reason}") from None
    if attempt + 1 == ATTEMPTS:
        raise FetchError(f"{url}: download failed after {ATTEMPTS} tries ({type(error).__name__}: {error})") from None
    delay = RETRY_DELAY * 2**attempt
    log.info("%s: %s; trying again in %.0f s (try %d of %d)", url, error, delay, attempt + 2, ATTEMPTS)
    time.sleep(delay)


class RangeFile(io.RawIOBase):
    """A remote file read by HTTP range requests: seekable, so ``zipfile`` reads only what it needs.
    A request broken part-way resumes from the byte it stopped at."""

    def __init__(self, url: str):
        self.url, self.position = url, 0
        for attempt in range(ATTEMPTS):
            try:
                with _open(url, {"Range": "bytes=0-0"}) as response:
                    total = response.headers.get("Content-Range", "")
                    self.ranges = response.status == 206 and total.rpartition("/")[2].isdigit()
                    self.size = int(total.rpartition("/")[2]) if self.ranges else 0  # 0: read whole instead
                return
            except _BROKEN as error:
                _wait_or_fail(url, attempt, error)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.position = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.size}[whence] + offset
        return self.position

    def readinto(self, buffer) -> int:
        end = min(self.position + len(buffer), self.size)
        view, got = memoryview(buffer), 0
        attempt = 0
        while self.position + got < end:
            try:
                with _open(self.url, {"Range": f"bytes={self.position + got}-{end - 1}"}) as response:
                    if response.status != 206:
                        raise FetchError(f"{self.url}: the server stopped allowing range requests")
                    while self.position + got < end and (n := response.readinto(view[got : end - self.position])):
                        got += n
                    if self.position + got < end:
                        raise HTTPException("the connection closed early")
            except _BROKEN as error:
                _wait_or_fail(self.url, attempt, error)
                attempt += 1
        self.position += got
        return got
