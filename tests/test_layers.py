"""The import contracts in pyproject.toml (``[tool.importlinter]``), checked by import-linter:
the package keeps them, and breaking any rule is caught."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def lint_imports(src: Path, workdir: Path) -> subprocess.CompletedProcess:
    """``lint-imports`` with the project's contracts on the ``helpers`` package under ``src`` (no cache written)."""
    return subprocess.run(
        [sys.executable, "-c", LINT_IMPORTS, "--no-cache", "--no-logo", str(ROOT / "pyproject.toml")],
        cwd=workdir,
        env={**os.environ, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_package_keeps_its_import_contracts(tmp_path):
    run = lint_imports(ROOT / "src", tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Contracts: 2 kept, 0 broken." in run.stdout


@pytest.mark.parametrize(
    "module, planted, contract, named",
    [
        ("inputs/files.py", "from ..presentation import narrative", "One-way flow", "helpers.inputs.files"),
        ("analysis/spc.py", "from ..pipeline import cache", "One-way flow", "helpers.analysis.spc"),
        ("pipeline/cache.py", "from .. import cli", "One-way flow", "helpers.pipeline.cache"),
        ("quarters.py", "from .analysis import intervals", "One-way flow", "helpers.quarters"),
        ("report_extra.py", "", "One-way flow", "helpers.report_extra"),  # a new module not given a layer
        (
            "presentation/charts.py",
            "from ..inputs import boundaries",
            "Presentation reads",
            "helpers.presentation.charts",
        ),
        # analysis.compute reads the inputs: presentation may not reach them through it either
        (
            "presentation/paper.py",
            "from ..analysis.compute import compute",
            "Presentation reads",
            "helpers.analysis.compute",
        ),
    ],
)
def test_a_broken_rule_is_caught(tmp_path, module, planted, contract, named):
    src = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "helpers", src / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    path = src / "helpers" / module
    path.write_text((path.read_text() if path.exists() else '"""A module."""\n') + f"\n{planted}\n")
    run = lint_imports(src, tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    broken = run.stdout.split("Broken contracts", 1)[1]
    assert contract in broken and named in broken, broken
