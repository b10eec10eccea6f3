"""The reports of ``logprune constants golden|hyperbolic|batch``: one lemma's constants, as objects.

Each factory checks its parameters once and returns a frozen dataclass that formats itself:
``as_json()`` is the document ``--json`` prints and ``lines()`` the plain ``key: value`` text, so the
command line only parses, calls and prints.  An enclosure is shown in text as
``mid (exact: ..., radius <= rad)``; other objects and lists as compact JSON.

>>> batch_report(c="0.05", m=1, k=20, delta="0.01").lines()[5]
'M: 345'
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import sympy as sp

from logprune.bounds import batch, golden, hyperbolic
from logprune.bounds.certified import Enclosure, enclose
from logprune.validation import MAX_K, MAX_SIZE, check_int, check_open_unit, check_positive, sympy_rational

__all__ = [
    "BatchReport",
    "Counterexample",
    "GoldenReport",
    "HyperbolicCoverage",
    "HyperbolicReport",
    "batch_report",
    "golden_report",
    "hyperbolic_report",
]


def _plain(v: Any) -> str:
    if isinstance(v, dict) and "mid" in v:
        return f"{v['mid']} (exact: {v['exact']}, radius <= {v['rad']})"
    if isinstance(v, dict | list):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _lines(doc: dict[str, Any]) -> list[str]:
    return [f"{key}: {_plain(value)}" for key, value in doc.items()]


@dataclass(frozen=True)
class Counterexample:
    """Samples on which the greedy rule breaks s·b^(-k) for an inadmissible base (docs/claims.md, L3)."""

    v: Fraction
    samples: tuple[Fraction, ...]
    residual: Fraction
    bound: sp.Expr

    @property
    def residual_exceeds_bound(self) -> bool:
        return bool(sympy_rational(self.residual) > self.bound)

    def as_json(self) -> dict[str, Any]:
        return {
            "v": str(self.v),
            "samples": [str(x) for x in self.samples],
            "residual": str(self.residual),
            "bound": sp.sstr(self.bound),
            "residual_exceeds_bound": self.residual_exceeds_bound,
        }


@dataclass(frozen=True)
class GoldenReport:
    """L3 at one (eps, scale, base): admissibility, k, the residual bound or a counterexample."""

    eps: Fraction
    scale: Fraction
    admissibility: golden.Admissibility
    k: int
    residual_bound: Enclosure | None  # None for an inadmissible base
    counterexample: Counterexample | None  # for an inadmissible rational base and k >= 1

    def as_json(self) -> dict[str, Any]:
        adm = self.admissibility
        doc: dict[str, Any] = {
            "claim": "L3",
            "base": sp.sstr(adm.base),
            "eps": str(self.eps),
            "scale": str(self.scale),
            "admissible": adm.admissible,
            "reason": adm.reason,
            "slack": adm.slack.as_json(),
            "k": self.k,
            "k_formula": "max(0, ceil(log_b(scale/eps)))",
            "residual_bound": None if self.residual_bound is None else self.residual_bound.as_json(),
        }
        if self.counterexample is not None:
            doc["counterexample"] = self.counterexample.as_json()
        return doc

    def lines(self) -> list[str]:
        return _lines(self.as_json())


def golden_report(*, eps: Any, scale: Any = 1, base: Any = "phi") -> GoldenReport:
    """The golden-ratio decomposition at ``eps`` (> 0), ``scale`` (> 0) and ``base`` (docs/claims.md, L3)."""
    e = check_positive("eps", eps)
    sc = check_positive("scale", scale)
    adm = golden.admissibility(base)
    k = golden.k_exact(eps=e, scale=sc, base=adm.base)
    bound = golden.residual_bound(eps=e, scale=sc, base=adm.base) if adm.admissible else None
    cex = None
    if not adm.admissible and isinstance(adm.base, sp.Rational) and k >= 1:
        v, xs = golden.counterexample(base=adm.base, k_segments=k, scale=sc)
        _, r = golden.greedy(v, xs)
        cex = Counterexample(v, tuple(xs), r, sc * (sp.Rational(1) / adm.base) ** k)
    return GoldenReport(e, sc, adm, k, bound, cex)


@dataclass(frozen=True)
class HyperbolicCoverage:
    """Coverage of k segments by a given support, against the optimal support (docs/claims.md, L4)."""

    k: int
    for_this_support: Enclosure
    optimal_support: tuple[sp.Expr, sp.Expr]  # (alpha, beta)
    optimal: sp.Rational
    digest: sp.Rational

    def as_json(self) -> dict[str, Any]:
        alpha, beta = self.optimal_support
        return {
            "k": self.k,
            "coverage_for_this_support": self.for_this_support.as_json(),
            "optimal_support": {"alpha": enclose(alpha).as_json(), "beta": enclose(beta).as_json()},
            "optimal_coverage": sp.sstr(self.optimal),
            "digest_coverage": sp.sstr(self.digest),
        }


@dataclass(frozen=True)
class HyperbolicReport:
    """The hyperbolic law on [alpha, beta]: segment probabilities, and coverage when k is given
    (docs/claims.md, L3, L4).  alpha, beta and base are echoed as the user spelled them."""

    alpha: str
    beta: str
    base: str
    segment_probability: Enclosure
    segment_probability_with_sign: Enclosure
    coverage: HyperbolicCoverage | None

    def as_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "claim": "L3 (hyperbolic law)",
            "alpha": self.alpha,
            "beta": self.beta,
            "base": self.base,
            "segment_probability": self.segment_probability.as_json(),
            "segment_probability_with_sign": self.segment_probability_with_sign.as_json(),
        }
        if self.coverage is not None:
            doc.update(self.coverage.as_json())
        return doc

    def lines(self) -> list[str]:
        return _lines(self.as_json())


def hyperbolic_report(*, alpha: Any, beta: Any, base: Any = "phi", k: Any = None, scale: Any = 1) -> HyperbolicReport:
    """The hyperbolic law's constants; with ``k`` (an integer >= 1) also the coverage of k segments of
    scale ``scale`` by this support and by the optimal one."""
    seg = hyperbolic.segment_probability(alpha=alpha, beta=beta, base=base)
    signed = enclose(seg.exact / 2)  # the sign prescribed too: probability halved
    cov = None
    if k is not None:
        kk = check_int("k", k, maximum=MAX_K)
        best = hyperbolic.optimal_support(k_segments=kk, base=base, scale=scale)
        cov = HyperbolicCoverage(
            kk,
            hyperbolic.coverage_for_support(k_segments=kk, alpha=alpha, beta=beta, base=base, scale=scale),
            (best.alpha, best.beta),
            hyperbolic.coverage(kk),
            hyperbolic.coverage_digest(kk),
        )
    return HyperbolicReport(str(alpha), str(beta), str(base), seg, signed, cov)


@dataclass(frozen=True)
class BatchReport:
    """L4 at one (c, m, k, delta): the Chernoff size M and the exact-tail M_exact (docs/claims.md, L4)."""

    c: Fraction
    m: int
    k: int
    delta: Fraction
    M: int
    M_exact: int | None  # None: beyond the exact search's budget (batch.exact_affordable)

    def as_json(self) -> dict[str, Any]:
        return {
            "claim": "L4",
            "c": str(self.c),
            "m": self.m,
            "k": self.k,
            "delta": str(self.delta),
            "M": self.M,
            "M_formula": "ceil((2/c)(m + ln(k/delta)))",
            "M_exact": self.M_exact,
            "M_exact_definition": "least M with k*P[Bin(M,c) < m] <= delta (exact integer arithmetic)"
            + (
                ""
                if self.M_exact is not None
                else "; not computed: beyond the exact search's budget (M*bits(c) <= 2^25, m*M*bits(c) <= 2e10)"
            ),
            "ratio_M_over_M_exact": str(sp.Rational(self.M, self.M_exact)) if self.M_exact else None,
        }

    def lines(self) -> list[str]:
        return _lines(self.as_json())


def batch_report(*, c: Any, m: Any, k: Any, delta: Any) -> BatchReport:
    """Batch sampling with coverage ``c``, ``m`` samples per category, ``k`` categories, failure ``delta``."""
    cc = check_open_unit("c", c)
    mm = check_int("m", m, maximum=MAX_SIZE)
    kk = check_int("k", k)
    d = check_open_unit("delta", delta)
    M = batch.M(c=cc, m=mm, k=kk, delta=d)
    exact = batch.M_exact(c=cc, m=mm, k=kk, delta=d) if batch.exact_affordable(c=cc, m=mm, M_upper=M) else None
    return BatchReport(cc, mm, kk, d, M, exact)
