"""The public statistics API: confidence intervals and significance tests for counts, rates
and percentages. The functions live in ``helpers.analysis.stats``; this module keeps
``from helpers.stats import ...`` working for scripts built on the tool."""

from .analysis.stats import *  # noqa: F403
from .analysis.stats import __all__  # noqa: F401
