"""The public statistics API for scripts built on the tool: confidence intervals, significance tests, funnel
plots and over-dispersion for counts, rates and percentages. The functions live in ``helpers.analysis``'s
``intervals``, ``significance`` and ``funnels`` (inputs checked by ``validation``); this module gathers them
for ``from helpers.stats import ...``."""

from .analysis.funnels import *  # noqa: F403
from .analysis.funnels import __all__ as _funnels
from .analysis.intervals import *  # noqa: F403
from .analysis.intervals import __all__ as _intervals
from .analysis.significance import *  # noqa: F403
from .analysis.significance import __all__ as _significance
from .analysis.validation import normalise_confidence

__all__ = ["normalise_confidence", *_intervals, *_significance, *_funnels]
