"""Exact construction of Ĝ = G ⊙ mask from a seeded random G and a real target F, with a certificate.

- :mod:`~logprune.construct.target`: reading F, the exact bias rewrite, certified norm bounds.
- :mod:`~logprune.construct.gsample`: G, regenerable block by block from its seed.
- :mod:`~logprune.construct.numeric`: exact / ball / float contexts for the arithmetic of Ĝ.
- :mod:`~logprune.construct.build`: sampling, golden-ratio (or Malach) pruning, exact errors.
- :mod:`~logprune.construct.certify`: the certified bound on sup ||Ĝ(x) - F(x)||.
- :mod:`~logprune.construct.export`: the ``Ĝ.npz`` contract, atomic writing, ``verify``.
"""
