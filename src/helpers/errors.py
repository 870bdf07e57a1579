"""The tool's own exceptions: every problem a user can fix is a SaferReportError.

The CLI prints ``str(error)`` as one line and exits non-zero; a traceback is shown
only with ``--debug``.
"""

from __future__ import annotations

import re

QUOTED_CHARS = 80  # input text quoted in a message is cut to about this many characters
LINE_CHARS = 320  # and a whole message to this many


def escaped(text: str) -> str:
    """``text`` with control and format characters (terminal escapes, bidi overrides, line breaks) written as
    Python escapes, so that what an input file holds can never act on the terminal or break the line."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


_LONG_QUOTE = re.compile(rf"'([^']{{{QUOTED_CHARS + 1},}})'")


def one_line(message: str) -> str:
    """A message as the CLI prints it: escaped, every quoted text cut to ``QUOTED_CHARS``, the whole to
    ``LINE_CHARS``, with an ellipsis where cut."""
    text = _LONG_QUOTE.sub(lambda m: f"'{m.group(1)[: QUOTED_CHARS - 1]}…'", escaped(" ".join(message.splitlines())))
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


class SaferReportError(Exception):
    """Base class: a problem the user can act on, explained in one line."""


class InputError(SaferReportError):
    """A problem in an input file, named by file, row or cell, and what is wrong."""

    def __init__(self, problem: str, file: object = None, row: object = None):
        self.problem, self.file, self.row = problem, file, row
        where = ", ".join(str(part) for part in (file, f"row {row}" if isinstance(row, int) else row) if part)
        super().__init__(f"{where}: {problem}" if where else problem)


class QuarterError(InputError):
    """A quarter string that is not a UK financial-year quarter."""


class BuildError(SaferReportError):
    """A build step failed (for example a section notebook raised)."""


class ToolMissing(SaferReportError):
    """An optional system tool (Chromium) is not installed."""


class Interrupted(BaseException):
    """SIGINT (Ctrl-C) or SIGTERM: the build stops, leaving the previous outputs as they were.

    Not a KeyboardInterrupt: CPython marks a KeyboardInterrupt raised inside ``exec`` (as dataclasses and
    some imports use) as unhandled and kills the process with SIGINT at exit, whatever exit code was given.
    """
