"""Exact construction of Ĝ = G ⊙ mask from a seeded random G and a real target F, with a certificate.

The entry point is :func:`logprune.construct.pipeline.construct` (target + options -> Construction);
``verify`` re-derives a Ĝ file.  One idea per module:

- :mod:`~logprune.construct.options`: the typed request, validated once.
- :mod:`~logprune.construct.target`: reading F, the exact bias rewrite; :mod:`~logprune.construct.norms`:
  certified layer norms.
- :mod:`~logprune.construct.plan`: eps_w, k, the law of G and the block size, decided before sampling.
- :mod:`~logprune.construct.pooling`: the geometry of G's blocks (pooling A and B).
- :mod:`~logprune.construct.gsample`: G, regenerable block by block from its seed.
- :mod:`~logprune.construct.methods` and ``method_golden``, ``method_malach``, ``method_subset_sum``:
  the pruning methods as strategies (block-size bound and selection rule).
- :mod:`~logprune.construct.build`: the build loop, in one process, worker processes or on Dask.
- :mod:`~logprune.construct.numeric`: exact / ball / float contexts for the arithmetic of Ĝ.
- :mod:`~logprune.construct.effective`: effective weights and their exact errors (build and verify).
- :mod:`~logprune.construct.certify`: the certified bound on sup ||Ĝ(x) - F(x)|| and the decision.
- :mod:`~logprune.construct.forward`, :mod:`~logprune.construct.measure`: Ĝ on inputs, measured error.
- :mod:`~logprune.construct.ghat_file`: the ``Ĝ.npz`` format; :mod:`~logprune.construct.verify`.
- :mod:`~logprune.construct.pipeline`: the one entry point and its result.
"""
