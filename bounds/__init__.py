"""Symbolic bounds of the strong lottery ticket literature, each with a certified numeric twin.

Modules, one mathematical idea each (claim ids are the headings of ``docs/claims.md``).  This is the
bottom layer: it imports nothing of logprune but errors, validation and choices.

- :mod:`~logprune.bounds.symbols`: the sympy symbols, one object per name, with fixed assumptions.
- :mod:`~logprune.bounds.certified`: arb-ball evaluation of sympy expressions, certified integers.
- :mod:`~logprune.bounds.domain`: the domain of a statement (x_max, x >= 0, the output norm) and the branch
  rule: how many branches a target layer needs.
- :mod:`~logprune.bounds.laws`: the weight laws (hyperbolic, uniform) as objects, with G's sampler.
- :mod:`~logprune.bounds.golden`: golden-ratio decomposition (L3).
- :mod:`~logprune.bounds.hyperbolic`: hyperbolic law's formulas, coverage constants c (L3, L4, coverage).
- :mod:`~logprune.bounds.uniform`: the uniform law's counterparts (L1, L2).
- :mod:`~logprune.bounds.sampling`: sample complexities of L1, L2, L3.
- :mod:`~logprune.bounds.batch`: batch sampling M and the exact-tail M_exact (L4).
- :mod:`~logprune.bounds.propagation`: per-weight accuracy from the output accuracy, the tightened k (C3).
- :mod:`~logprune.bounds.malach`: Malach et al.'s construction with our own constants (C1).
- :mod:`~logprune.bounds.lower`: the lower bounds (counting, param-counting, entropy).
- :mod:`~logprune.bounds.rss_calibration`: the recorded RSS calibration (generated, EMPIRICAL);
  :mod:`~logprune.bounds.rss_default` reads it.
- :mod:`~logprune.bounds.setting`: the parameters of a size question, validated once.
- :mod:`~logprune.bounds.rows`: the comparison table, one module per source of rows (C1, C2, C3, Pensia et
  al., subset-sum, the lower bounds), one unit for every row.
- :mod:`~logprune.bounds.render`: text, JSON and LaTeX tables.
- :mod:`~logprune.bounds.reports`: the ``constants`` reports (golden, hyperbolic, batch).
- :mod:`~logprune.bounds.snapshot`: every constant on a fixed grid (the regression test of the theory).
"""
