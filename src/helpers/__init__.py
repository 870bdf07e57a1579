"""Safer Communities quarterly performance report: the package behind the notebooks."""
import sys

__version__ = "0.1.0"

# jsonschema (under nbformat) imports the optional rfc3987_syntax whenever it is installed, and
# JupyterLab installs it: building its parser grammar adds about 1 s to every build
# (python-jsonschema/jsonschema#1428). Notebooks never need IRI-format checks, so that import
# is turned into a quiet ImportError, which jsonschema expects when the package is absent.
sys.modules.setdefault("rfc3987_syntax", None)
