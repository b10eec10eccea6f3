"""Exact construction of Ĝ = G ⊙ mask from a seeded random G and a real target F, with a certificate.

- the request and the run: ``options``, ``pipeline`` (the entry point), ``a_posteriori``, ``result``;
- the construction: ``target``, ``plan``, ``pooling``, ``gsample``, ``build``, ``numeric``, ``effective``, ``forward``;
- re-derivation and measurement: ``verify``, ``measure``, ``model_bounds`` (the numbers of C3 for a real model);
- :mod:`~logprune.construct.methods`: the pruning methods, one module each;
- :mod:`~logprune.construct.certificate`: the rules, norms, composition, bound and decision, attack, refinement;
- :mod:`~logprune.construct.io`: bytes in and out (containers, checkpoints, targets, Ĝ files, torch, strict JSON).
"""
