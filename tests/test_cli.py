"""helpers.cli: subcommands dispatched through the registry, every problem one line on stderr."""

from __future__ import annotations

import argparse

import pytest

from helpers import cli
from helpers.errors import SaferReportError


@pytest.fixture
def registry(monkeypatch):
    """A copy of the registry for the test to add to; the real one is left as it was."""
    monkeypatch.setattr(cli, "COMMANDS", dict(cli.COMMANDS))


def greet_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True)


def test_a_registered_command_is_listed_in_help_and_dispatched_with_its_arguments(registry, capsys):
    @cli.command("greet", help="greet someone by name", arguments=greet_arguments)
    def greet(args: argparse.Namespace) -> None:
        print(f"Hello {args.name}")

    assert cli.main(["greet", "--name", "board"]) == 0
    assert capsys.readouterr().out == "Hello board\n"
    with pytest.raises(SystemExit) as done:
        cli.main(["--help"])
    assert done.value.code == 0
    assert "greet someone by name" in capsys.readouterr().out


def test_a_problem_raised_by_a_command_is_one_line_and_exit_2(registry, capsys):
    @cli.command("fail", help="always fails", arguments=lambda parser: None)
    def fail(args: argparse.Namespace) -> None:
        raise SaferReportError("params/2022-23-Q2.yaml: meeting_date: not a date\n(line 3)")

    assert cli.main(["fail"]) == 2
    assert capsys.readouterr().err == "safer-report: error: params/2022-23-Q2.yaml: meeting_date: not a date (line 3)\n"


def test_help_lists_the_shipped_subcommands(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    listed = capsys.readouterr().out
    for name in ("build", "validate", "template", "fetch", "new-quarter"):
        assert f"    {name} " in listed, name


def test_an_unknown_subcommand_is_a_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["publish"])
    assert done.value.code == 2
    [line] = capsys.readouterr().err.strip().splitlines()[-1:]
    assert line.startswith("safer-report: error: argument command: invalid choice: 'publish'")


@pytest.mark.parametrize("argv", [["validate", "--quarter", "2022-Q2"], ["template", "--quarter", "2022-Q2"]])
def test_a_malformed_quarter_is_one_line_naming_the_accepted_form(argv, capsys):
    assert cli.main(argv) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("safer-report: error: '2022-Q2' is not a financial-year quarter: write it as 2022-23-Q2")
