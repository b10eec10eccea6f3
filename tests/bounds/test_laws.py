"""The weight laws as objects (docs/claims.md, L2, L3, L4): G's sampler the same bits on every machine,
the probabilities against scipy.stats and exact integration, the JSON record and its checks."""

from __future__ import annotations

import hashlib
import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from logprune.bounds import hyperbolic, laws, uniform
from logprune.bounds import symbols as sym
from logprune.bounds.certified import enclose
from logprune.bounds.detexp import exp_det, log_cr
from logprune.choices import Dist
from logprune.errors import LogpruneError, ParameterError, ParameterTypeError

from helpers import assert_encloses

# Ĝ meta records written before the laws moved to bounds/ (construct/gsample.py's Law.as_json)
OLD_RECORDS = [
    (
        "H",
        1,
        1.0,
        '{"dist": "hyperbolic", "alpha": 0.6180339887498949, "beta": 0.7861513777574233, '
        '"exact": {"alpha": "1/GoldenRatio", "beta": "1/sqrt(GoldenRatio)"}}',
    ),
    (
        "H",
        5,
        1.0,
        '{"dist": "hyperbolic", "alpha": 0.164549417431383, "beta": 1.1278384855616823, '
        '"exact": {"alpha": "GoldenRatio**(-15/4)", "beta": "GoldenRatio**(1/4)"}}',
    ),
    (
        "H",
        21,
        0.37,
        '{"dist": "hyperbolic", "alpha": 0.00031084617529038923, "beta": 4.702170073068622, '
        '"exact": {"alpha": "sqrt(6665327448508334)/(134217728*GoldenRatio**(63/4))", '
        '"beta": "sqrt(6665327448508334)*GoldenRatio**(17/4)/134217728"}}',
    ),
    (
        "H",
        29,
        0.1,
        '{"dist": "hyperbolic", "alpha": 9.005727973749076e-06, "beta": 6.399893567348187, '
        '"exact": {"alpha": "sqrt(7205759403792794)/(268435456*GoldenRatio**(87/4))", '
        '"beta": "sqrt(7205759403792794)*GoldenRatio**(25/4)/268435456"}}',
    ),
    (
        "U",
        0,
        1.0,
        '{"dist": "uniform", "alpha": 0.0, "beta": 0.7861513777574233, "exact": {"beta": "1/sqrt(GoldenRatio)"}}',
    ),
    (
        "U",
        0,
        0.37,
        '{"dist": "uniform", "alpha": 0.0, "beta": 0.4781972143765176, '
        '"exact": {"beta": "sqrt(6665327448508334)/(134217728*sqrt(GoldenRatio))"}}',
    ),
    (
        "U",
        0,
        0.1 * (1 + 5**0.5) / 2,
        '{"dist": "uniform", "alpha": 0.0, "beta": 0.31622776601683794, '
        '"exact": {"beta": "sqrt(2914790907522730)/(134217728*sqrt(GoldenRatio))"}}',
    ),
]


def _g_law(kind: str, k: int, scale: float) -> laws.Law:
    return laws.hyperbolic_law(k_segments=k, scale=scale) if kind == "H" else laws.uniform_law(scale=scale)


@pytest.mark.parametrize(("kind", "k", "scale", "record"), OLD_RECORDS)
def test_G_laws_record_the_same_floats_and_exact_forms_as_before(kind: str, k: int, scale: float, record: str) -> None:
    assert _g_law(kind, k, scale).as_json() == json.loads(record)


def _old_draw(doc: dict, rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:  # type: ignore[type-arg]
    """construct/gsample.py's Law.draw before the move, with np.exp and math.log replaced by mpmath at
    120 bits, rounded to float64 (what an exact sampler would draw from the same uniforms)."""
    if doc["dist"] == "hyperbolic":
        u = rng.uniform(_log_ref(doc["alpha"]), _log_ref(doc["beta"]), size=shape)
        mag = np.array([_exp_ref(float(v)) for v in u.ravel()]).reshape(shape)
        sign = rng.integers(0, 2, size=shape, dtype=np.int8) * 2 - 1
        return mag * sign
    return rng.uniform(-doc["beta"], doc["beta"], size=shape)


def _exp_ref(x: float) -> float:
    with mpmath.workprec(120):
        return float(mpmath.exp(mpmath.mpf(x)))


def _log_ref(x: float) -> float:
    with mpmath.workprec(120):
        return float(mpmath.log(mpmath.mpf(x)))


def _rng(seed: int, *key: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=key)))


@given(
    st.sampled_from([r[:3] for r in OLD_RECORDS]),
    st.integers(0, 2**63),
    st.lists(st.integers(0, 7), min_size=1, max_size=3).map(tuple),
)
def test_sample_is_the_old_draw_within_two_ulp(law_key: tuple, seed: int, shape: tuple[int, ...]) -> None:  # type: ignore[type-arg]
    """The sampler draws the same uniforms and signs as before, and exp within 2 ulp of the exact value
    (bounds/detexp.py; np.exp was within 1 ulp, but not the same bits on every CPU)."""
    law = _g_law(*law_key)
    new = law.sample(_rng(seed, 1, 2, 0), shape)
    ref = _old_draw(law.as_json(), _rng(seed, 1, 2, 0), shape)
    assert new.dtype == np.float64 and new.shape == shape
    assert np.array_equal(np.sign(new), np.sign(ref))
    assert np.all(np.abs(new - ref) <= 2 * np.spacing(np.abs(ref)))


@settings(max_examples=300)
@given(st.floats(-700, 700, allow_nan=False))
@example(0.0)
@example(-700.0)
@example(700.0)
@example(math.log(2) / 64)
def test_exp_det_is_within_two_ulp_of_mpmath(x: float) -> None:
    assert abs(float(exp_det(np.array([x]))[0]) - _exp_ref(x)) <= 2 * math.ulp(_exp_ref(x))


@given(st.floats(1e-300, 1e300))
@example(1.0)
@example(0.00031084617529038923)
def test_log_cr_is_correctly_rounded(x: float) -> None:
    assert log_cr(x) == _log_ref(x)


def test_G_blocks_hash_as_pinned() -> None:
    """Two blocks of G drawn as construct/gsample.py draws them (streams (t, j, 0), neuron-major, then
    transposed).  exp_det uses IEEE-754 basic operations only, so this hash is the same on every machine
    (the np.exp draw of before hashed differently on AVX-512 and AVX2 machines: e9404b13... against
    7fbae2c0...)."""
    h = laws.hyperbolic_law(k_segments=21, scale=0.37)
    a = h.sample(_rng(7, 2, 3, 0), (50,))
    b = np.ascontiguousarray(h.sample(_rng(7, 3, 3, 0), (50, 4)).T)
    assert hashlib.sha256(a.tobytes() + b.tobytes()).hexdigest() == (
        "527148acf0f5a12e117134f9af197e98e059812ee35a766784261e34572bd682"
    )


supports = st.tuples(
    st.fractions(min_value=Fraction(1, 10**4), max_value=Fraction(1), max_denominator=10**4),
    st.fractions(min_value=Fraction(11, 10), max_value=Fraction(10**3), max_denominator=100),
).map(lambda ab: (ab[0], ab[0] * ab[1]))


@given(supports, st.floats(0, 1), st.floats(0, 1))
def test_hyperbolic_segment_probability_matches_scipy_loguniform(ab: tuple, s: float, t: float) -> None:  # type: ignore[type-arg]
    a, b = ab
    law = laws.hyperbolic(alpha=a, beta=b)
    # a segment that may stick out of the support on either side: the law clips it
    lo = Fraction(a) * Fraction(2, 3) + (b - a) * Fraction(s).limit_denominator(1000) * Fraction(1, 2)
    hi = lo + (b - a) * Fraction(t).limit_denominator(1000)
    p = law.segment_probability(lo, hi)
    ref = stats.loguniform(float(a), float(b))
    assert float(p.decimal) == pytest.approx(ref.cdf(float(hi)) - ref.cdf(float(lo)), rel=1e-9, abs=1e-12)


@given(st.fractions(min_value=Fraction(1, 100), max_value=Fraction(10), max_denominator=100), st.floats(0, 1))
def test_uniform_segment_probability_matches_scipy_uniform(beta: Fraction, t: float) -> None:
    law = laws.uniform(beta=beta)
    lo = beta * Fraction(t).limit_denominator(1000)
    hi = lo + beta / 3
    ref = stats.uniform(loc=-float(beta), scale=2 * float(beta))
    expect = 2 * (ref.cdf(min(float(hi), float(beta))) - ref.cdf(float(lo)))  # |W|: both signs
    assert float(law.segment_probability(lo, hi).decimal) == pytest.approx(expect, rel=1e-9, abs=1e-15)


@given(supports, st.floats(0, 1), st.floats(0, 1))
def test_hyperbolic_product_probability_matches_scipy_triang(ab: tuple, s: float, t: float) -> None:  # type: ignore[type-arg]
    a, b = ab
    law = laws.hyperbolic(alpha=a, beta=b)
    lo = Fraction(a * a) + (b * b - a * a) * Fraction(s * t).limit_denominator(10**4)
    hi = Fraction(a * a) + (b * b - a * a) * Fraction(s).limit_denominator(10**4)
    if lo >= hi:
        return
    la, lb = math.log(a), math.log(b)
    ref = stats.triang(c=0.5, loc=2 * la, scale=2 * (lb - la))
    expect = ref.cdf(math.log(hi)) - ref.cdf(math.log(lo))
    assert float(law.product_segment_probability(lo, hi).decimal) == pytest.approx(expect, rel=1e-7, abs=1e-12)


@given(
    st.fractions(min_value=Fraction(1, 10), max_value=Fraction(3), max_denominator=20),
    st.fractions(min_value=0, max_value=1, max_denominator=100),
    st.fractions(min_value=Fraction(1, 100), max_value=1, max_denominator=100),
)
def test_uniform_product_probability_is_the_integral_of_the_joint_density(
    beta: Fraction, s: Fraction, width: Fraction
) -> None:
    """P(lo <= |ab| <= hi) = (1/beta) integral_0^beta [min(1, hi/(a beta)) - min(1, lo/(a beta))] da,
    by mpmath quadrature (an independent path from F(z) = z(1 - ln z))."""
    law = laws.uniform(beta=beta)
    big_b = beta * beta
    lo, hi = big_b * s * Fraction(1, 2), big_b * min(Fraction(1), s * Fraction(1, 2) + width)

    def cdf(t: Fraction) -> mpmath.mpf:
        if t == 0:
            return mpmath.mpf(0)
        bt, tt = mpmath.mpf(beta.numerator) / beta.denominator, mpmath.mpf(t.numerator) / t.denominator
        return mpmath.quad(lambda x: min(1, tt / (x * bt)), [0, tt / bt, bt]) / bt

    with mpmath.workdps(30):
        assert_encloses(law.product_segment_probability(lo, hi), cdf(hi) - cdf(lo), max_radius=Fraction(1, 10**12))


def test_densities_integrate_to_one_and_cdfs_are_their_integrals() -> None:
    w, x = sym.w, sym.x
    h = laws.hyperbolic(alpha="1/1000", beta=1)
    u = laws.uniform(beta="3/4")
    assert sp.simplify(2 * sp.integrate(h.density().subs(w, x), (x, sp.Rational(1, 1000), 1)) - 1) == 0
    assert sp.integrate(u.density(), (w, -sp.Rational(3, 4), sp.Rational(3, 4))) == 1
    half = sp.Rational(1, 2)
    assert sp.simplify(h.cdf().subs(w, half) - (half + sp.integrate(h.density().subs(w, x), (x, h.alpha, half)))) == 0
    assert u.cdf().subs(w, sp.Rational(1, 4)) == sp.integrate(u.density(), (w, -sp.Rational(3, 4), sp.Rational(1, 4)))
    assert sp.simplify(h.magnitude_cdf().subs(x, half) - 2 * (h.cdf().subs(w, half) - half)) == 0


@pytest.mark.parametrize("k", [1, 2, 5, 21])
def test_law_coverage_is_the_module_coverage(k: int) -> None:
    """One implementation: the law's coverage is what bounds.hyperbolic and bounds.uniform report."""
    best = laws.hyperbolic_law(k_segments=k, scale=1)
    c = hyperbolic.coverage(k)
    cov = best.coverage(k=k)
    assert cov.lower <= Fraction(int(c.p), int(c.q)) <= cov.upper
    old = uniform.coverage(k_segments=k)
    new = laws.uniform_law(scale=1).coverage(k=k)
    assert (new.lower, new.upper, new.exact) == (old.lower, old.upper, old.exact)


@pytest.mark.parametrize("k", [2, 5, 10, 20])
def test_L2_uniform_coverage_is_far_below_the_hyperbolic_optimum(k: int) -> None:
    """G's two laws at the same scale: the uniform law's finest segment costs like phi^-k."""
    cu = laws.uniform_law(scale=1).coverage(k=k)
    ch = laws.hyperbolic_law(k_segments=k, scale=1).coverage(k=k)
    assert cu.upper < ch.lower


@given(
    st.one_of(
        st.tuples(st.just("H"), st.integers(0, 40), st.floats(1e-6, 1e3)),
        st.tuples(st.just("U"), st.just(0), st.floats(1e-6, 1e3)),
    )
)
@example(("H", 29, 0.1))
def test_law_from_json_round_trip(key: tuple) -> None:  # type: ignore[type-arg]
    law = _g_law(*key)
    doc = json.loads(json.dumps(law.as_json()))  # through a file's JSON
    again = laws.law_from_json(doc)
    assert again == law and again.as_json() == law.as_json()


@pytest.mark.parametrize(
    ("mutate", "error", "fragment"),
    [
        (lambda d: {**d, "dist": "cauchy"}, ParameterError, "dist=cauchy"),
        (lambda d: {k: v for k, v in d.items() if k != "exact"}, ParameterTypeError, "exact=None"),
        (lambda d: {**d, "alpha": d["alpha"] * (1 + 2**-50)}, ParameterError, "does not match"),
        (lambda d: {**d, "exact": {**d["exact"], "alpha": "__import__('os').getcwd()"}}, ParameterTypeError, "alpha="),
        (lambda d: {**d, "exact": {**d["exact"], "beta": "1/10**9"}}, ParameterError, "need 0 < alpha < beta"),
        (lambda d: {**d, "exact": {**d["exact"], "beta": "0"}}, ParameterError, "beta=0"),
        (lambda d: [d], ParameterTypeError, "expected a JSON object"),
    ],
)
def test_law_from_json_refuses_what_would_not_regenerate_G(mutate, error, fragment) -> None:  # type: ignore[no-untyped-def]
    doc = laws.hyperbolic_law(k_segments=5, scale=1.0).as_json()
    with pytest.raises(error) as info:
        laws.law_from_json(mutate(doc))
    assert isinstance(info.value, LogpruneError)
    assert fragment in str(info.value)


def test_factories_check_the_parameters_once() -> None:
    with pytest.raises(ParameterError, match="alpha=1, beta=1: need 0 < alpha < beta"):
        laws.hyperbolic(alpha=1, beta=1)
    with pytest.raises(ParameterError, match="alpha=0"):
        laws.hyperbolic(alpha=0, beta=1)
    with pytest.raises(ParameterError, match="alpha=2, beta=sqrt"):
        laws.hyperbolic(alpha=2, beta=sp.sqrt(2))
    with pytest.raises(ParameterError, match="beta=-1"):
        laws.uniform(beta=-1)
    with pytest.raises(ParameterError, match="dist=normal"):
        laws.law("normal", beta=1)
    with pytest.raises(ParameterError, match="alpha=None"):
        laws.law(Dist.HYPERBOLIC, beta=1)
    with pytest.raises(ParameterError, match="no alpha"):
        laws.law(Dist.UNIFORM, alpha="1/2", beta=1)
    assert laws.law("hyperbolic", alpha="1e-3", beta=2) == laws.hyperbolic(alpha=Fraction(1, 1000), beta=2)
    assert laws.law(Dist.UNIFORM, beta="0.75") == laws.uniform(beta=Fraction(3, 4))


def test_segment_probability_refuses_an_empty_or_reversed_segment() -> None:
    law = laws.hyperbolic(alpha="1/10", beta=10)
    with pytest.raises(ParameterError, match="need lo <= hi"):
        law.segment_probability(2, 1)
    assert law.segment_probability(20, 30).exact == 0  # outside the support
    assert law.segment_probability(0, 100).exact == 1  # the whole support


def test_the_float_rule_is_twenty_certified_digits_rounded_once() -> None:
    law = laws.hyperbolic_law(k_segments=21, scale=0.37)
    assert law.alpha_float == float(enclose(law.alpha, digits=20).decimal)
    assert law.alpha == sp.sqrt(sp.Rational(0.37)) * sp.GoldenRatio ** sp.Rational(-63, 4)  # 0.37: its binary value


# --- separate supports (docs/claims.md, coverage) -------------------------------------------------------


def test_coverage_separate_G_blocks_hash_as_pinned() -> None:
    """Two blocks of G on the separate supports, drawn as construct/gsample.py draws them (in-weights by
    exp_det: the same bits on every machine; out-weights m times a fair sign)."""
    h = laws.separate_law(k_segments=21, scale=0.37)
    a = h.sample_in(_rng(7, 2, 3, 0), (50,))
    b = np.ascontiguousarray(h.sample_out(_rng(7, 3, 3, 0), (50, 4)).T)
    assert hashlib.sha256(a.tobytes() + b.tobytes()).hexdigest() == (
        "fa8df4d9a16bd69579e2b170de629f4b7ee8d029b90991f3d507c8d3296f5407"
    )


@pytest.mark.parametrize("k", [1, 2, 3, 9, 21])
@pytest.mark.parametrize("base", ["phi", "3/2", "2"])
@pytest.mark.parametrize("scale", [1, 0.37])
def test_coverage_separate_supports_give_each_segment_one_over_k(k: int, base: str, scale: float) -> None:
    """The optimal supports put exactly 1/k on every segment; c = 1/(4k) (exact, certified)."""
    law = laws.optimal_supports(k_segments=k, base=base, scale=scale)
    exact_scale = sp.Rational(scale)
    assert law.segment_probabilities(k=k, scale=exact_scale, base=base) == [sp.Rational(1, k)] * k
    cov = law.coverage(k=k, scale=exact_scale, base=base)
    assert cov.lower <= Fraction(1, 4 * k) <= cov.upper
    # the region of |ab| is [s·b^(-k-1), s·b^(-1)]: float reference from the law's own floats
    b = float(sp.GoldenRatio) if base == "phi" else float(Fraction(base))
    m, lo, hi = law.outer.magnitude_float, law.inner.alpha_float, law.inner.beta_float
    assert m * lo == pytest.approx(scale * b ** (-k - 1), rel=1e-12)
    assert m * hi == pytest.approx(scale * b**-1, rel=1e-12)


@settings(max_examples=30)
@given(
    st.fractions(min_value=Fraction(1, 10**3), max_value=Fraction(1), max_denominator=10**3),
    st.fractions(min_value=Fraction(11, 10), max_value=Fraction(100), max_denominator=100),
    st.fractions(min_value=Fraction(1, 100), max_value=Fraction(10), max_denominator=100),
    st.floats(0, 1),
    st.floats(0, 1),
)
def test_coverage_separate_product_probability_matches_scipy_loguniform(
    alpha: Fraction, ratio: Fraction, m: Fraction, s: float, t: float
) -> None:
    """P(lo <= m·|a| <= hi) for |a| log-uniform on [alpha, beta] against scipy.stats.loguniform."""
    beta = alpha * ratio
    law = laws.SeparateLaws(laws.hyperbolic(alpha=alpha, beta=beta), laws.fixed_magnitude(magnitude=m))
    # a segment that may stick out of the product's support [m·alpha, m·beta] on either side: clipped
    lo = m * alpha * Fraction(2, 3) + m * (beta - alpha) * Fraction(s).limit_denominator(1000) / 2
    hi = lo + m * (beta - alpha) * Fraction(t).limit_denominator(1000)
    ref = stats.loguniform(float(alpha), float(beta))
    expected = ref.cdf(float(hi / m)) - ref.cdf(float(lo / m))
    p = law.product_segment_probability(lo, hi)
    assert float(p.decimal) == pytest.approx(expected, rel=1e-9, abs=1e-12)


@settings(max_examples=25)
@given(st.integers(1, 40), st.floats(1e-6, 1e3))
def test_coverage_separate_law_from_json_round_trip(k: int, scale: float) -> None:
    law = laws.separate_law(k_segments=k, scale=scale)
    doc = json.loads(json.dumps(law.as_json()))
    again = laws.law_from_json(doc)
    assert again == law and again.as_json() == law.as_json()


@pytest.mark.parametrize(
    ("mutate", "error", "fragment"),
    [
        (
            lambda d: {**d, "out": {**d["out"], "magnitude": d["out"]["magnitude"] * (1 + 2**-50)}},
            ParameterError,
            "does not match",
        ),
        (lambda d: {**d, "support": "shared"}, ParameterError, "support='shared'"),
        (lambda d: {**d, "out": 1.0}, ParameterTypeError, "expected the in- and out-weights"),
        (lambda d: {**d, "in": laws.uniform_law(scale=1.0).as_json()}, ParameterError, "must be hyperbolic"),
    ],
)
def test_coverage_separate_law_from_json_refuses_what_would_not_regenerate_G(mutate, error, fragment) -> None:  # type: ignore[no-untyped-def]
    doc = laws.separate_law(k_segments=5, scale=1.0).as_json()
    with pytest.raises(error) as info:
        laws.law_from_json(mutate(doc))
    assert fragment in str(info.value)


def test_coverage_separate_out_weights_are_m_with_fair_signs() -> None:
    law = laws.separate_law(k_segments=9, scale=0.5)
    b = law.sample_out(_rng(3, 1, 0, 0), (20000,))
    assert np.all(np.abs(b) == law.outer.magnitude_float)
    assert stats.binomtest(int(np.count_nonzero(b > 0)), b.size).pvalue > 1e-6
    assert law.outer.segment_probability(law.outer.magnitude, law.outer.magnitude * 2).exact == 1
    assert law.outer.segment_probability(law.outer.magnitude * 2, law.outer.magnitude * 3).exact == 0
    with pytest.raises(ParameterError, match="magnitude=0"):
        laws.fixed_magnitude(magnitude=0)


@pytest.mark.statistical
@pytest.mark.parametrize(("k", "base"), [(1, "phi"), (5, "phi"), (21, "phi"), (9, "3/2")])
def test_coverage_separate_sampler_hits_each_segment_with_probability_one_over_k(k: int, base: str) -> None:
    """docs/claims.md, coverage: G's separate-supports sampler puts |a·b| in each of the k half-open segments
    with probability 1/k.  Each segment's two-sided Clopper–Pearson interval at confidence 1 - 1e-4/k (a
    Bonferroni split: the test fails with probability <= 1e-4 when the sampler is right) contains 1/k."""
    from logprune.bounds.laws import optimal_supports
    from logprune.checks.coverage import clopper_pearson

    law = optimal_supports(k_segments=k, base=base, scale=1)
    gen = np.random.Generator(np.random.PCG64(20261201 + k))
    n = 40_000
    q = np.abs(law.sample_in(gen, (n,)) * law.sample_out(gen, (n,)))
    b = (1 + math.sqrt(5)) / 2 if base == "phi" else 1.5
    seg = np.floor(np.log(1 / q) / math.log(b))  # segment t: q in (b^(-t-1), b^(-t)]
    for t in range(1, k + 1):
        hits = int(np.sum(seg == t))
        lo, hi = clopper_pearson(hits, n, 1 - 1e-4 / k)
        assert lo <= 1 / k <= hi, (t, hits)
