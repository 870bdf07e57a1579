"""HTML fragments from the Jinja2 templates in ``templates/fragments``, escaped by default.

Python hands each template plain data (text and numbers, already formatted); the template
writes the markup. Autoescaping is on for every template whatever its file name, so a value
is escaped unless it is ``Markup``: another rendered fragment, Markdown rendered by
``narrative.markdown``, or a chart from ``charts.figure_html``. An undefined name is an error.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

FRAGMENTS = Path(__file__).parent / "templates" / "fragments"

_environment = Environment(
    loader=FileSystemLoader(FRAGMENTS), autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
)


def render(name: str, **data) -> Markup:
    """The fragment ``templates/fragments/{name}.html.j2`` filled in with ``data``."""
    return Markup(_environment.get_template(f"{name}.html.j2").render(**data))
