"""Empirical cross-checks of the theory against samples (``logprune check claims|practice|sweep``).

- :mod:`~logprune.checks.coverage`: coverage times, validity (Clopper-Pearson) and tightness.
- :mod:`~logprune.checks.claims`: L1, L2, L3 (hyperbolic and uniform), L4 and the construction's width.
- :mod:`~logprune.checks.distributions`: the samplers against scipy.stats.
- :mod:`~logprune.checks.residuals`: the worst-case hunt for the golden-ratio residual.
- :mod:`~logprune.checks.runner`: the battery of ``check claims``, quick and full.
- :mod:`~logprune.checks.practice`: ``check practice``, sampled weights per target weight in practice,
  and the README's answers written from the run.
- :mod:`~logprune.checks.sweep`: ``check sweep``, the theorem-level sizes over eps, n, layers and delta.

Constructions go through the library API (:func:`logprune.construct.options.options` and
:func:`logprune.construct.pipeline.construct`), as the CLI and the benchmarks do.
"""
