"""The tool's own exceptions: every problem a user can fix is a SaferReportError.

The CLI prints ``str(error)`` as one line and exits non-zero; a traceback is shown
only with ``--debug``.
"""
from __future__ import annotations


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
