"""Symbolic bounds of the strong lottery ticket literature, each with a certified numeric twin.

Modules, one mathematical idea each (claim ids from ``shared/paper/digest.md``):

- :mod:`~logprune.bounds.certified`: arb-ball evaluation of sympy expressions, certified integers.
- :mod:`~logprune.bounds.golden`: golden-ratio decomposition (L3).
- :mod:`~logprune.bounds.hyperbolic`: hyperbolic law, product law, coverage constant c (L3, L4).
- :mod:`~logprune.bounds.uniform`: the uniform law's counterparts (L1, L2).
- :mod:`~logprune.bounds.sampling`: sample complexities of L1, L2, L3.
- :mod:`~logprune.bounds.batch`: batch sampling M and the exact-tail M_exact (L4).
- :mod:`~logprune.bounds.propagation`: per-weight accuracy from the output accuracy (C3).
- :mod:`~logprune.bounds.theorems`: theorem-level sizes of G (C1, C2, C3, Pensia et al., counting).
- :mod:`~logprune.bounds.render`: text, JSON and LaTeX tables.
"""
