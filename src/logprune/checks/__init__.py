"""Empirical cross-checks of the theory: sample counts against the symbolic bounds (``logprune check``).

- :mod:`~logprune.checks.coverage`: coverage times, validity (Clopper-Pearson) and tightness.
- :mod:`~logprune.checks.claims`: L1, L3 (hyperbolic and uniform), L4 and the construction's width.
- :mod:`~logprune.checks.distributions`: the samplers against scipy.stats.
- :mod:`~logprune.checks.runner`: the default battery, quick and full.
"""
