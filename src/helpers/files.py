"""Reading a user's text file: every way it can fail is one InputError naming the file (and line)."""
from __future__ import annotations

from pathlib import Path

from .errors import InputError


def read_text(path: Path, what: str = "file", advice: str = "save it as UTF-8") -> str:
    """The file's text (UTF-8, a byte-order mark allowed); missing, folder, unreadable or
    non-UTF-8 files are InputErrors, the last naming the line of the first bad byte."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{what} not found", file=path) from None
    except IsADirectoryError:
        raise InputError(f"is a folder, not a {what}", file=path) from None
    except OSError as exc:
        raise InputError(f"{what} cannot be read ({exc.strerror or exc})", file=path) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"is not UTF-8 text (byte 0x{data[exc.start]:02x}): {advice}", file=path,
                         row=data.count(b"\n", 0, exc.start) + 1) from None
