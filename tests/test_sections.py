"""The one registry of report sections (``config.REPORT_SECTIONS``): the kernels' shares of its notebooks, and
the registry against the notebooks on disk (each registered, each priority drawing its own section)."""

from __future__ import annotations

import json

from helpers import config
from helpers.config import Section
from helpers.pipeline.orchestrate import kernel_groups


def section(name: str, cost: float) -> Section:
    return Section(name, name.title(), f"nb_{name}", cost)


def test_kernels_share_the_notebooks_greedily_by_cost_each_in_report_order():
    sections = [section("a", 3), section("b", 2), section("c", 2), section("d", 1)]
    # a (3) -> kernel 1; b (2) -> kernel 2; c (2) -> kernel 2 (2 < 3); d (1) -> kernel 1: 4 and 4
    assert kernel_groups(sections, 2) == [["nb_a", "nb_d"], ["nb_b", "nb_c"]]
    assert kernel_groups(sections, 1) == [["nb_a", "nb_b", "nb_c", "nb_d"]]
    assert kernel_groups(sections[:1], 2) == [["nb_a"]]  # no kernel without work


def test_the_costliest_notebook_gets_a_kernel_of_its_own_when_it_outweighs_the_rest():
    sections = [section("a", 1), section("b", 1), section("c", 5)]
    assert kernel_groups(sections, 2) == [["nb_c"], ["nb_a", "nb_b"]]


def test_every_registered_notebook_exists_and_every_section_notebook_is_registered():
    registered = {s.notebook for s in config.REPORT_SECTIONS}
    on_disk = {p.stem for p in config.NOTEBOOKS.glob("0*.ipynb")}
    assert registered == on_disk


def test_each_priority_notebook_draws_its_own_section():
    for entry in config.REPORT_SECTIONS:
        book = json.loads((config.NOTEBOOKS / f"{entry.notebook}.ipynb").read_text())
        code = "\n".join("".join(cell["source"]) for cell in book["cells"] if cell["cell_type"] == "code")
        assert (f'SECTION = "{entry.id}"' in code) == entry.priority, entry.notebook
