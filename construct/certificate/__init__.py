"""The certificate: a rigorous bound of sup ||Ĝ(x) - F(x)|| over the domain, and the decision.

- :mod:`~logprune.construct.certificate.rules`: the proven arithmetic rules every bound is made of
  (outward rounding, interval products, affine forms, the ball's drop and clip); ``proofs/`` checks these
  very functions;
- :mod:`~logprune.construct.certificate.norms`: certified spectral norms (N1, and N2 by a rotation);
- :mod:`~logprune.construct.certificate.compose`: the composed bound on cells of the input domain;
- :mod:`~logprune.construct.certificate.certify`: the telescoped bound, the certificate and the decision;
- :mod:`~logprune.construct.certificate.attack`: the worst input found (the certificate's lower bracket);
- :mod:`~logprune.construct.certificate.refine`: the model that chooses k in the a-posteriori mode.
"""
