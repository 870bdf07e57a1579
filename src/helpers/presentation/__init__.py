"""Presentation: words, charts, HTML fragments, the stitched report, the board paper and the
Excel dashboard, all drawn from the ``Results`` bundle. Never imports an input module."""
