"""SIGINT and SIGTERM during a build: noted when they come, acted on where the build can stop cleanly.

Python runs a signal handler in the main thread between any two bytecodes, so a handler that raised could
land inside a lock of ``concurrent.futures`` or ``threading`` and leave it broken: a build then failed with
"release unlocked lock", or hung at exit. While a build runs (``deferred``), the handler only notes the
signal; the build stops at points of its own choosing (``check``), waits for its threads in short steps
(``wait``), so it notices within a fraction of a second of the last notebook or file being written, and is
stopped at once only inside a blocking system call (``at_once``).
"""

from __future__ import annotations

import concurrent.futures
import signal
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from types import FrameType

from ..errors import Interrupted

HANDLED = (signal.SIGINT, signal.SIGTERM)
STEP = 0.1  # seconds between two looks for a noted signal while waiting

_noted = threading.Event()
_blocked = False  # in ``at_once``


@contextmanager
def deferred() -> Iterator[None]:
    """Until the block ends, SIGINT and SIGTERM are noted (``noted``) instead of handled as before. Only the
    main thread receives signals: elsewhere the block changes nothing and ``noted`` stays false."""
    _noted.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _note) for number in HANDLED}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        _noted.clear()


@contextmanager
def at_once() -> Iterator[None]:
    """Around one blocking system call (waiting for a lock), where nothing can be left half done: a signal
    that came before, or comes during it, stops the build there."""
    global _blocked
    check()
    _blocked = True
    try:
        yield
    finally:
        _blocked = False


def _note(number: int, frame: FrameType | None) -> None:
    _noted.set()
    if _blocked:
        raise Interrupted


def noted() -> bool:
    """Whether a signal came since ``deferred`` began."""
    return _noted.is_set()


def check() -> None:
    """Stop here (``Interrupted``) if a signal came."""
    if _noted.is_set():
        raise Interrupted


def wait(futures: Iterable[concurrent.futures.Future]) -> None:
    """Wait until every one of ``futures`` is done, stopping (``check``) if a signal came before or meanwhile."""
    pending = set(futures)
    while True:
        check()
        if not pending:
            return
        pending = concurrent.futures.wait(pending, timeout=STEP).not_done
