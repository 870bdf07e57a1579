"""Safer Communities quarterly performance report: the package behind the notebooks."""
import sys

__version__ = "0.1.0"


def skip_iri_format_checks() -> None:
    """Make jsonschema's optional ``rfc3987_syntax`` import a quiet ImportError, in this process.

    jsonschema (under nbformat) imports it whenever it is installed, and JupyterLab installs it:
    building its parser grammar adds about 1 s to every build (python-jsonschema/jsonschema#1428).
    Notebooks never need IRI-format checks. Called only by the ``safer-report`` command and in the
    build's own kernels: importing ``helpers`` changes nothing in anyone else's process.
    """
    sys.modules.setdefault("rfc3987_syntax", None)
