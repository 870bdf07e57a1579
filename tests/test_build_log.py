"""helpers.pipeline.build_log: the helpers logger's INFO and up kept in a file for a build's duration."""

from __future__ import annotations

import logging

import pytest

from helpers.pipeline import build_log

logger = logging.getLogger("helpers.test")


@pytest.fixture
def quiet_helpers():
    """The helpers logger as a library user leaves it: no level of its own, so INFO is not let through."""
    helpers = logging.getLogger("helpers")
    level = helpers.level
    helpers.setLevel(logging.NOTSET)
    yield helpers
    helpers.setLevel(level)


def test_info_and_up_are_kept_and_copied_into_each_folder(quiet_helpers, tmp_path):
    folders = [tmp_path / "pack", tmp_path / "other"]
    for folder in folders:
        folder.mkdir()
    with build_log.recording() as record:
        logger.debug("a diagnostic")
        logger.info("read data/police_uk/2022-09.csv")
        logger.warning("a month is missing")
        record.copy_into(folders)
        logger.info("after the copy")
    for folder in folders:
        lines = (folder / "build.log").read_text(encoding="utf-8").splitlines()
        assert [line.split(" ", 2)[2] for line in lines] == [
            "INFO read data/police_uk/2022-09.csv",
            "WARNING a month is missing",
        ]


def test_the_handler_and_the_temporary_file_go_when_the_build_ends(quiet_helpers):
    handlers = list(quiet_helpers.handlers)
    with pytest.raises(RuntimeError), build_log.recording() as record:
        assert quiet_helpers.isEnabledFor(logging.INFO)
        raise RuntimeError("the build failed")
    assert quiet_helpers.handlers == handlers and quiet_helpers.level == logging.NOTSET
    assert not record.path.exists()


def test_a_logger_set_to_debug_stays_at_debug(quiet_helpers):
    quiet_helpers.setLevel(logging.DEBUG)
    with build_log.recording():
        assert quiet_helpers.level == logging.DEBUG
    assert quiet_helpers.level == logging.DEBUG
