"""L2: product weights with uniform magnitudes (docs/claims.md, L2).  Mutation ``wrong-density``."""

from __future__ import annotations

import sympy as sp

from logprune.bounds import sampling, symbols, uniform
from logprune.proofs._orseau import sign_step
from logprune.proofs.framework import Proof, agreement, constant, identity, nonneg

CLAIM = "L2"
MUTATIONS = {"wrong-density": "the product CDF t(1 + ln t) instead of t(1 - ln t)"}


def proof(mutation: str | None = None) -> Proof:
    t, e = symbols.t, symbols.eps
    uu = sp.Symbol("u", positive=True)  # |w| - eps > 0: a local variable of this step
    F = t * (1 + sp.log(t)) if mutation == "wrong-density" else t * (1 - sp.log(t))
    ref = uniform.product_cdf().args[0][0].subs(symbols.B, 1)
    at = "w = 3/10, eps = 1/50"
    ww = sp.Symbol("w", positive=True)
    a_ = sp.Symbol("a", positive=True)
    p_ours = (F.subs(t, sp.Rational(32, 100)) - F.subs(t, sp.Rational(28, 100))) / 4
    steps = (
        identity(
            "P(|ab| <= t) = integral of min(1, t/a) over a in [0, 1] = t(1 - ln t)",
            t + sp.Integral(t / a_, (a_, t, 1)),
            F,
            domain="0 < t <= 1",
        ),
        identity("Its density is -ln t", sp.Derivative(F, t), -sp.log(t), domain="0 < t <= 1"),
        identity(
            "The density integrates to 1 on (0, 1]", sp.Integral(-sp.log(t), (t, 0, 1)), 1, domain="closed numbers"
        ),
        nonneg(
            "The density is decreasing: -(d/dt)(-ln t) >= 0",
            -sp.Derivative(-sp.log(t), t),
            domain="0 < t <= 1",
        ),
        identity(
            "Hence for |w| = eps + u >= eps the window mass F(w+eps) - F(w-eps) decreases in w: "
            "-(d/dw)[F(w+eps) - F(w-eps)] = ln(1 + 2 eps/u), the log of a number > 1",
            sp.Subs(-sp.Derivative(F.subs(t, ww + e) - F.subs(t, ww - e), ww), ww, e + uu),
            sp.log(1 + 2 * e / uu),
            domain="eps > 0, u > 0 (w = eps + u)",
        ),
        sign_step(),
        constant("p(w = 0.3, eps = 0.02) for U[-1,1] weights", p_ours, at=at),
        agreement("The product CDF (recomputed here) is the one bounds.uniform uses", lambda: F, lambda: ref),
        agreement(
            "p(w = 0.3, eps = 0.02) is what bounds.sampling.L2_probability_uniform reports",
            lambda: sp.nsimplify(p_ours),
            lambda: sp.nsimplify(sampling.L2_probability_uniform(w="0.3", eps="0.02").exact),
            at=at,
        ),
    )
    return Proof(
        claim=CLAIM,
        title="Product weights (uniform)",
        statement="For a, o i.i.d. U[-1, 1], P(|ao| <= t) = t(1 - ln t); one neuron is usable for w with probability "
        "(1/4)[F(|w|+eps) - F(|w|-eps)], minimal over |w| in [0, w_max] at 0 or w_max; "
        "N = ceil(ln(delta/2)/ln(1-p)) = O(1/eps · log 1/delta) for w_max bounded away from 1.",
        assumptions=("a, o i.i.d. U[-1, 1]", "eps < 1"),
        steps=steps,
        constants=(("p(w=0.3, eps=0.02)", str(sampling.L2_probability_uniform(w="0.3", eps="0.02"))),),
        mutation=mutation,
    )
