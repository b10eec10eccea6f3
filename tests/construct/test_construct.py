"""construct/: end-to-end builds, exact certificates, verify, reproducibility, failure, success rate."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

from logprune.choices import Pooling
from logprune.cli import main
from logprune.construct.certificate.norms import spectral_norm_upper
from logprune.construct.io.ghat_file import read_ghat
from logprune.construct.io.targets import demo_target, load_target
from logprune.construct.methods.subset_sum import _meet_in_the_middle, nearest_subsets
from logprune.construct.options import options
from logprune.construct.pipeline import construct
from logprune.construct.plan import plan
from logprune.construct.pooling import geometry
from logprune.construct.result import Construction
from logprune.construct.target import target_from_arrays
from logprune.construct.verify import verify
from logprune.errors import ParameterError, VerificationError

DEMO_PATH = str(files("logprune") / "data" / "demo_target.npz")


def build(target: object, **kw: object) -> Construction:
    return construct(target, options(**kw))  # type: ignore[arg-type]


@st.composite
def small_targets(draw: st.DrawFn) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 4)) for _ in range(depth + 1)]
    elems = st.floats(-2, 2, allow_nan=False, width=32)
    ws = [
        np.array(draw(st.lists(elems, min_size=a * b, max_size=a * b)), dtype=np.float64).reshape(b, a)
        for a, b in itertools.pairwise(widths)
    ]
    bs: list[np.ndarray | None] = []
    for b in widths[1:]:
        bs.append(np.array(draw(st.lists(elems, min_size=b, max_size=b))) if draw(st.booleans()) else None)
    return ws, bs


def _exact_forward(weights: tuple[np.ndarray, ...], x: list[Fraction]) -> list[Fraction]:
    h = x
    for i, w in enumerate(weights):
        h = [sum((Fraction(float(w[o, j])) * h[j] for j in range(w.shape[1])), Fraction(0)) for o in range(w.shape[0])]
        if i < len(weights) - 1:
            h = [max(v, Fraction(0)) for v in h]
    return h


def _exact_ghat(c: Construction, x: list[Fraction]) -> list[Fraction]:
    built = c.built.net
    h: dict[int, Fraction] = dict(enumerate(x))
    T = len(built.shapes)
    for t in range(T):
        out: dict[int, Fraction] = {}
        for r, c, v in zip(built.rows[t].tolist(), built.cols[t].tolist(), built.vals[t].tolist(), strict=True):
            if c in h:
                out[r] = out.get(r, Fraction(0)) + Fraction(v) * h[c]
        h = out if t == T - 1 else {k: max(v, Fraction(0)) for k, v in out.items()}
    return [h.get(o, Fraction(0)) for o in range(built.shapes[-1][0])]


@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(small_targets(), st.sampled_from(["shared", "per-weight"]), st.integers(0, 2**31), st.booleans())
@example(([np.zeros((1, 1)), np.ones((1, 1))], [None, None]), "shared", 0, False)  # an all-zero layer
def test_certificate_bounds_the_exact_error_and_the_file_verifies(tmp_path_factory, tgt, pool, seed, nonneg) -> None:  # type: ignore[no-untyped-def]
    """Build, export and verify end to end, then evaluate Ĝ and F exactly (rationals) on inputs of
    norm <= x_max: the error never exceeds the certified bound, and the bound is <= eps
    (delta = 1e-9: failure is not a live option)."""
    ws, bs = tgt
    target = target_from_arrays(ws, bs)
    if target.w_max == 0:
        return
    built = build(target, eps="0.05", delta="1e-9", seed=seed, pooling=pool, inputs_nonnegative=nonneg)
    assert built.ok, built.uncovered[:3]
    path = tmp_path_factory.mktemp("ghat") / "g.npz"
    built.write(path)
    rep = verify(path, target)
    assert rep.ok and rep.certified_bound == built.certificate.bound and rep.regenerated == built.kept
    rng = np.random.default_rng(seed)
    d = target.original_widths[0]
    for _ in range(5):
        v = rng.standard_normal(d)
        if nonneg:
            v = np.abs(v)
        x = [Fraction(float(t)) for t in v]
        norm2 = sum(t * t for t in x)
        x = [t * Fraction(9, 10) / Fraction(float(np.sqrt(float(norm2)))) for t in x]  # ||x|| < 1 = x_max
        xin = [*x, Fraction(1)] if target.append_one else x
        diff = [a - b for a, b in zip(_exact_ghat(built, xin), _exact_forward(target.weights, xin), strict=True)]
        assert sum(e * e for e in diff) <= built.certificate.bound**2


def _demo_like(seed: int = 3) -> tuple[list[np.ndarray], list[np.ndarray | None]]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(5, 3)) * 0.5, rng.normal(size=(2, 5)) * 0.5], [rng.normal(size=5) * 0.1, None]


def _write_demo_like(folder: Path, **extra: np.ndarray) -> Path:
    ws, bs = _demo_like()
    path = folder / "t.npz"
    np.savez(path, W1=ws[0], W2=ws[1], b1=bs[0], **extra)  # type: ignore[arg-type]
    return path


def test_bias_rewrite_is_exact() -> None:
    ws, bs = _demo_like()
    target = target_from_arrays(ws, bs)
    assert target.append_one and target.widths == [4, 6, 2]
    x = [Fraction(1, 3), Fraction(-2, 7), Fraction(5, 11)]
    h = x
    for i, (w, b) in enumerate(zip(ws, bs, strict=True)):
        h = [
            sum((Fraction(float(w[o, j])) * h[j] for j in range(w.shape[1])), Fraction(0))
            + (Fraction(float(b[o])) if b is not None else 0)
            for o in range(w.shape[0])
        ]
        if i == 0:
            h = [max(v, Fraction(0)) for v in h]
    assert _exact_forward(target.weights, [*x, Fraction(1)]) == h


def test_ghat_file_is_read_by_numpy_alone_and_verifies(tmp_path: Path) -> None:
    target = target_from_arrays(*_demo_like())
    built = build(target, eps="0.02", delta="0.01", seed=5, pooling="shared")
    path = tmp_path / "ghat.npz"
    built.write(path)
    meta = read_ghat(path).meta
    rep = verify(path, target)
    assert rep.ok and rep.certified_bound == built.certificate.bound and rep.regenerated == built.kept
    # the contract, read with numpy alone
    with np.load(path, allow_pickle=False) as z:
        T = int(z["layers"])
        assert T == 4 and bool(z["append_one"]) and json.loads(str(z["meta"]))["options"]["seed"] == 5
        x = np.array([[0.3, -0.2, 0.5, 1.0]]).T
        h = x
        for t in range(1, T + 1):
            W = np.zeros(tuple(z[f"w{t}_shape"]))
            np.add.at(W, (z[f"w{t}_row"], z[f"w{t}_col"]), z[f"w{t}_val"])
            h = W @ h
            if t < T:
                h = np.maximum(h, 0)
    assert np.allclose(h.T, built.forward(x.T), rtol=0, atol=1e-12)
    assert meta["certified_bound"]["exact"] == str(built.certificate.bound)


def test_verify_rejects_tampering(tmp_path: Path) -> None:
    target = target_from_arrays(*_demo_like())
    built = build(target, eps="0.02", delta="0.01", seed=5)
    path = tmp_path / "ghat.npz"
    built.write(path)
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}

    def tampered(name: str, **changes: np.ndarray) -> Path:
        p = tmp_path / name
        np.savez(p, **{**arrays, **changes})
        return p

    vals = arrays["w2_val"].copy()
    vals[0] = np.nextafter(vals[0], np.inf)  # one ulp
    with pytest.raises(VerificationError, match="regenerated"):
        verify(tampered("w.npz", w2_val=vals), target)
    meta = json.loads(str(arrays["meta"]))
    meta["options"]["seed"] = 6
    with pytest.raises(VerificationError, match="seed=6"):
        verify(tampered("s.npz", meta=np.asarray(json.dumps(meta))), target)
    meta = json.loads(str(arrays["meta"]))
    meta["certified_bound"]["exact"] = "1/1000000000"
    with pytest.raises(VerificationError, match="certified_bound"):
        verify(tampered("b.npz", meta=np.asarray(json.dumps(meta))), target)
    other = target_from_arrays(*_demo_like(seed=4))
    with pytest.raises(VerificationError, match="sha256"):
        verify(path, other)


def test_construction_is_reproducible_from_the_seed() -> None:
    target = target_from_arrays(*_demo_like())
    a, b = build(target, eps="0.02", seed=11), build(target, eps="0.02", seed=11)
    for x, y in zip(
        a.built.net.vals + a.built.net.rows + a.built.net.cols,
        b.built.net.vals + b.built.net.rows + b.built.net.cols,
        strict=True,
    ):
        assert np.array_equal(x, y)
    c = build(target, eps="0.02", seed=12)
    assert not all(np.array_equal(x, y) for x, y in zip(a.built.net.vals, c.built.net.vals, strict=True))


def test_contexts_agree_and_only_exact_and_ball_certify(tmp_path: Path) -> None:
    target = target_from_arrays(*_demo_like())
    res = {c: build(target, eps="0.02", delta="0.01", seed=2, arithmetic=c) for c in ("exact", "ball", "float")}
    ex, ball, fl = res["exact"].certificate, res["ball"].certificate, res["float"].certificate
    assert ex.certified and ball.certified and not fl.certified
    assert ex.bound <= ball.bound <= ex.bound * (1 + Fraction(1, 10**6))
    assert abs(float(fl.bound) - float(ex.bound)) <= 1e-9 * float(ex.bound)
    # a file built in ball arithmetic verifies in its own arithmetic by default
    res["ball"].write(tmp_path / "ball.npz")
    assert verify(tmp_path / "ball.npz", target).certified_bound == ball.bound


def test_G_too_small_exits_1_names_the_uncovered_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpath = _write_demo_like(tmp_path)
    out = tmp_path / "g.npz"
    rc = main(
        [
            "construct",
            "--target",
            str(tpath),
            "--eps",
            "0.01",
            "--delta",
            "0.01",
            "--seed",
            "0",
            "--width",
            "3",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert rc == 1 and not out.exists() and list(tmp_path.iterdir()) == [tpath]
    assert captured.err.count("\n") == 1 and "uncovered: (layer" in captured.err and "segment" in captured.err


def test_malach_baseline_keeps_one_product_per_weight_and_branch() -> None:
    target = target_from_arrays([np.array([[0.3, -0.2]]), np.array([[0.5]])])
    built = build(target, seed=1, dist="uniform", method="malach", weight_eps="0.05", pooling="shared")
    assert built.ok and built.max_weight_error <= Fraction(1, 20)
    # one product per (weight, branch): at most 2 out-edges per weight in layer 1, 1 in layer 2
    assert built.built.net.vals[1].size <= 4 and built.built.net.vals[3].size <= 1


def test_subset_sum_keeps_the_fewest_products_within_eps_and_verifies(tmp_path: Path) -> None:
    """The optimal pruner keeps, per weight, a subset of the block's usable products within eps_w with the
    fewest products (exact brute force over the block), and the file verifies like any other."""
    rng = np.random.default_rng(1)
    target = target_from_arrays([rng.normal(size=(3, 2)) * 0.3, rng.normal(size=(1, 3)) * 0.3])
    c = build(target, seed=4, method="subset-sum", dist="uniform", width=10, weight_eps="0.25", inputs_nonnegative=True)
    assert c.ok
    built = c.built.net
    from itertools import combinations

    from logprune.construct.gsample import block_weights

    eps = Fraction(1, 4)
    W = target.weights[0]
    for j in range(W.shape[1]):
        a, b = block_weights(seed=4, law=c.plan.law, layer=0, block=j, n_out=3, size=10, pool=c.plan.pool)
        usable = [p for p in range(10) if a[p] > 0]
        for o in range(3):
            w = Fraction(float(W[o, j]))
            prods = {p: Fraction(float(a[p])) * Fraction(float(b[o, p])) for p in usable}
            least = min(
                k
                for k in range(len(usable) + 1)
                for ps in combinations(usable, k)
                if abs(sum((prods[p] for p in ps), Fraction(0)) - w) <= eps
            )
            kept = (built.cols[1][(built.rows[1] == o) & (built.cols[1] // 10 == j)] % 10).tolist()
            assert len(kept) == least and abs(sum((prods[p] for p in kept), Fraction(0)) - w) <= eps
    path = tmp_path / "g.npz"
    c.write(path)
    assert verify(path, target).regenerated == c.kept
    with pytest.raises(ParameterError, match="width=41"):
        options(eps="0.5", method="subset-sum", width=41)


def test_subset_sum_meet_in_the_middle_finds_the_enumerations_error() -> None:
    rng = np.random.default_rng(5)
    q = rng.uniform(-1, 1, (6, 12))
    q[:, ::5] = 0.0  # wrong-branch neurons are never kept
    w = rng.uniform(-1, 1, 6)
    r1, c1 = nearest_subsets(q, w)
    r2, c2 = _meet_in_the_middle(q, w)
    for o in range(6):
        e1 = abs(q[o, c1[r1 == o]].sum() - w[o])
        e2 = abs(q[o, c2[r2 == o]].sum() - w[o])
        assert e2 == pytest.approx(e1, abs=1e-12)
        assert not np.any(q[o, c2[r2 == o]] == 0)


def test_G_blocks_of_size_P_are_prefixes_of_larger_blocks() -> None:
    from logprune.bounds.laws import uniform_law
    from logprune.construct.gsample import block_weights

    law = uniform_law(scale=1.0)
    for kind in Pooling:
        pool = geometry(kind)
        a1, b1 = block_weights(seed=3, law=law, layer=0, block=2, n_out=4, size=5, pool=pool)
        a2, b2 = block_weights(seed=3, law=law, layer=0, block=2, n_out=4, size=9, pool=pool)
        assert np.array_equal(b1, b2[:, :5]) and np.array_equal(a1, a2[..., :5])


@pytest.mark.statistical
def test_success_rate_over_seeds_is_at_least_one_minus_delta() -> None:
    """40 seeds at the bound's width with delta = 1/4: the Clopper-Pearson 95% upper limit of the
    failure rate must be <= delta."""
    target = target_from_arrays([np.array([[0.7, -0.4], [0.1, 0.9]]), np.array([[0.6, -0.8]])])
    delta = Fraction(1, 4)
    failures = sum(not build(target, eps="0.05", delta=delta, seed=s).ok for s in range(40))
    upper = stats.binomtest(failures, 40).proportion_ci(confidence_level=0.95, method="exact").high
    assert upper <= float(delta)


def test_spectral_norm_upper_bounds_the_2_norm_and_not_above_frobenius() -> None:
    rng = np.random.default_rng(0)
    for shape in [(1, 1), (3, 7), (40, 25), (100, 3)]:
        w = rng.standard_normal(shape)
        ub = spectral_norm_upper(w)
        assert float(ub) >= np.linalg.norm(w, 2)
        assert float(ub) <= np.linalg.norm(w, "fro") * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(
    st.tuples(st.integers(1, 6), st.integers(1, 6)),
    st.integers(0, 2**32 - 1),
    st.one_of(st.integers(-1060, -400), st.integers(400, 1000), st.integers(-3, 3)),
)
@example((2, 2), 0, -1074 + 60)  # entries near the bottom of the subnormal range
def test_spectral_norm_upper_bounds_tiny_and_huge_matrices(shape: tuple[int, int], seed: int, k: int) -> None:
    """Exact power-of-two scaling: no underflow to a zero bound, no overflow (docs/claims.md, certificate)."""
    w = np.ldexp(np.random.default_rng(seed).uniform(-1, 1, size=shape), k)  # what is stored
    if not np.any(w):
        return
    e = math.frexp(float(np.max(np.abs(w))))[1]
    ref = np.linalg.norm(np.ldexp(w, -e), 2)  # exact back-scaling of the stored entries
    ub = spectral_norm_upper(w)
    assert ub > 0
    assert ub * Fraction(2) ** -e >= Fraction(float(ref)) * (1 - Fraction(1, 10**12))
    assert ub * Fraction(2) ** -e <= Fraction(float(ref)) * 3


@pytest.mark.parametrize(
    ("arrays", "fragment"),
    [
        ({"W1": np.ones((2, 3)), "W2": np.ones((1, 3))}, "do not match"),
        ({"W1": np.array([[np.nan]])}, "non-finite"),
        ({"W2": np.ones((2, 2))}, "missing W1"),
        ({"X": np.ones(2)}, "no arrays named W1"),
        ({"W1": np.ones((2, 2)), "b1": np.ones(3)}, "b1.shape"),
    ],
)
def test_bad_targets_are_refused(tmp_path: Path, arrays: dict, fragment: str) -> None:  # type: ignore[type-arg]
    p = tmp_path / "t.npz"
    np.savez(p, **arrays)
    with pytest.raises(ParameterError, match=fragment):
        load_target(p)


def test_cli_construct_then_verify_and_unreadable_targets_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tpath = _write_demo_like(tmp_path, extra=np.zeros(2))
    out = tmp_path / "g.npz"
    rc = main(
        [
            "construct",
            "--target",
            str(tpath),
            "--eps",
            "0.02",
            "--delta",
            "0.01",
            "--seed",
            "9",
            "--pool",
            "shared",
            "--out",
            str(out),
        ]
    )
    cap = capsys.readouterr()
    assert rc == 0 and out.exists() and "certified bound" in cap.out and "ignored array 'extra'" in cap.err
    assert read_ghat(out).meta["options"]["seed"] == 9
    assert main(["verify", str(out), "--target", str(tpath)]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    assert main(["construct", "--target", str(bad), "--eps", "0.1", "--delta", "0.1", "--seed", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a readable .npz" in err and "Traceback" not in err
    assert main(["construct", "--target", str(tpath), "--eps", "0", "--delta", "0.1", "--seed", "0"]) == 2
    assert "eps=0" in capsys.readouterr().err


def test_demo_prints_an_ok_certificate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "result: OK" in out and "certified bound" in out


def test_C3_tightened_k_is_the_least_that_satisfies_the_telescoped_bound() -> None:
    import sympy as sp

    from logprune.bounds import propagation
    from logprune.bounds.certified import enclose

    target = target_from_arrays(*_demo_like())
    opt = options(eps="0.02", delta="0.01", seed=0)
    pl = plan(target, opt)
    s = Fraction(target.w_max)
    closed = propagation.propagate(
        eps=opt.eps,
        widths=target.widths,
        norms=list(pl.norms),
        w_max=sp.Rational(s.numerator, s.denominator),
        x_max=sp.Rational(pl.x_max_eff.numerator, pl.x_max_eff.denominator),
    )

    def bound(k: int) -> Fraction:
        ew = sp.Rational(s.numerator, s.denominator) * sp.GoldenRatio ** (-k)
        return enclose(
            propagation.error_bound_x(
                eps_w=ew,
                widths=target.widths,
                norms=list(pl.norms),
                x_max=sp.Rational(pl.x_max_eff.numerator, pl.x_max_eff.denominator),
            )
        ).upper

    assert pl.k <= closed.k
    assert bound(pl.k) <= opt.eps < bound(pl.k - 1)


def test_the_certificate_states_its_domain_where_it_assumes_x_nonnegative(tmp_path: Path) -> None:
    """With inputs declared >= 0 layer 1 has one branch: the bound holds on x >= 0 only, and says so in the
    summary, the JSON and verify's claim (docs/claims.md, certificate)."""
    target, _ = demo_target()
    c = construct(target, options(eps="0.05", inputs_nonnegative=True), workers=1)
    assert str(c.certificate.domain) == "||x||_2 <= 1, x >= 0"
    assert any("sup over ||x||_2 <= 1, x >= 0 of" in line for line in c.summary_lines())
    assert c.as_json()["certified_bound"]["domain"] == "||x||_2 <= 1, x >= 0"
    c.write(tmp_path / "g.npz")
    assert "x >= 0" in verify(tmp_path / "g.npz", target).claim()
    free = construct(target, options(eps="0.05"), workers=1)
    assert str(free.certificate.domain) == "||x||_2 <= 1"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(0, 2**32 - 1),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["l2", "inf"]),
)
def test_no_input_the_attack_finds_exceeds_the_certificate(seed: int, biases: bool, nonneg: bool, norm: str) -> None:
    """Soundness: the worst input found (exact error) is never above the certified bound; the bracket is
    [found, certified] (docs/claims.md, certificate)."""
    rng = np.random.default_rng(seed)
    ws = [rng.normal(size=(4, 3)) * 0.5, rng.normal(size=(3, 4)) * 0.5, rng.normal(size=(2, 3)) * 0.5]
    bs = [rng.normal(size=4) * 0.2, rng.normal(size=3) * 0.2, None] if biases else None
    target = target_from_arrays(ws, bs)
    opt = options(eps="0.1", seed=seed % 1000, inputs_nonnegative=nonneg, norm=norm)
    c = construct(target, opt, workers=1, attack_budget=(8, 40))  # raises if an input beats the certificate
    assert c.attack is not None and 0 <= c.attack.error <= c.certificate.bound
    x = np.asarray(c.attack.x)
    assert sum(Fraction(float(v)) ** 2 for v in x) <= opt.x_max**2 and (not nonneg or np.all(x >= 0))


def test_the_attack_error_is_the_exact_error_of_its_input() -> None:
    from logprune.choices import Norm
    from logprune.construct.certificate.attack import exact_error

    target, _ = demo_target()
    c = construct(target, options(eps="0.05"), workers=1, attack_budget=(16, 60))
    assert c.attack is not None
    x = np.asarray(c.attack.x)
    xa = np.append(x, 1.0)[None, :]
    float_err = float(np.linalg.norm(c.forward(xa) - target.forward(xa)))
    err, sq = exact_error(c.built.net, target, x, Norm.L2)
    assert err == c.attack.error and sq is not None and err**2 <= sq <= (err + Fraction(1, 2**64)) ** 2
    # the float error cancels digits of the outputs (|F(x)| ~ 1 against an error ~ 1e-3): compare at their scale
    assert abs(float(err) - float_err) <= 1e-12 * (1 + float(np.linalg.norm(target.forward(xa))))
    # the search does at least as well as the 256 random inputs of the measured error
    assert c.measured_error is not None and float(c.attack.error) >= c.measured_error * (1 - 1e-9)


def test_verify_attack_prints_the_bracket(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "g.npz"
    assert main(["demo", "--out", str(out), "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["verify", str(out), "--target", DEMO_PATH, "--attack", "--restarts", "8", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert 0 < doc["attack_error"] <= doc["certified_bound"] and doc["certified_over_found"] >= 1
    assert Fraction(doc["certified_bound_exact"]) == Fraction(doc["certificate"]["exact"])
    assert main(["verify", str(out), "--target", DEMO_PATH, "--restarts", "8"]) == 2
