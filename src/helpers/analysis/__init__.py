"""Analysis: indicator values, statistics, SPC, judgements and what changed, gathered into
the ``Results`` bundle. May read inputs; never imports presentation or build."""
