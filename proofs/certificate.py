"""The certificate of a construction (docs/claims.md, certificate): the steps 1-8 of its derivation.

The load-bearing lemmas of :mod:`logprune.construct.certificate.norms` (N2), of the rounding of the error matrices and
of :mod:`logprune.construct.certificate.compose` (the difference quotients of relu, the carry rule, the hybrid
telescoping, the interval enclosure of a matrix-vector product), decided by z3 where they are scalar and
tested on exact random instances (``Fraction``s) where they are about matrices; then construct's own
certificate: its interval product is the proven rule, bit for bit, its carries (``Composer.carry`` and
``Composer.carry_hull``) contain every exact image of the points they claim on random exact instances,
its affine forms (``affine_product``) contain the exact range of every layer image, its drop and clip of boxes
against the ball (``in_ball``) keep every point of the ball, and its bound of one cell (``cells``) is
above the exact error at points of the cell on random exact nets; on one instance (a 2-3-1 target with
biases) its telescoped bound is recomputed here and no input's exact error exceeds its certificate.  The
lemmas behind the newer rules (the hull of d·c, σ on an affine form, the affine form through a layer, the
ball's drop and clip, the rounding margin of the ball's sums) are decided by z3 or sympy.
With :mod:`logprune.proofs._certificate_trials` (the randomised trials and the instance, which call
construct's public rules and its pipeline), the one claim of proofs/ that reads construct/ (an edit of the
certificate's code must make a step fail: the mutation score, benchmarks/mutation_score.py).  This module is
the step list, in groups (N2, the rounding, relu and the carry, the interval product, the hull and the
affine forms, the ball, end to end).

Mutations (each must make a step fail): ``no-eta-factor`` drops the factor 1/sqrt(1 - eta) of N2,
``no-underflow-term`` drops the 2^-1074 of the rounding bound, ``half-slope`` claims d in [0, 1/2],
``no-carry-half`` drops the ||c_U||/2 of the carry rule, ``no-tau`` drops the tau·||ẑ|| of the start,
``telescope-off-by-one`` feeds F's v_i (not Ĝ's u_i) to layer i + 1, ``no-radius`` drops the radius of
the interval product, ``hull-no-zero`` does not widen an unstable entry of the hull carry to contain 0
(in the lemma and in construct's own ``Composer.carry_hull``, given the unstable entries as active),
``form-keeps-unstable`` keeps the affine form of an unstable neuron, ``symbolic-no-gamma`` drops the
rounding term of the affine form (in the identity, the lemma, and construct's ``affine_product`` output
replaced by its interval product alone), ``ball-near-no-straddle`` takes near_j = min(|lo_j|, |hi_j|) on a
side straddling 0, ``ball-no-rounding`` drops the rounding margin of the ball's sums (in the lemma, and
the drop and clip recomputed in floats to nearest with no margin).
"""

from __future__ import annotations

import sympy as sp

from logprune.proofs._certificate_trials import (
    AT,
    INSTANCE_AT,
    applies_trial,
    bounds_a_priori,
    carry_trial,
    cells_trial,
    construct_carry_trial,
    construct_hull_trial,
    gershgorin_trial,
    in_ball_trial,
    instance,
    instance_inf,
    matvec_trial,
    n2_trial,
    rotation_trial,
    rounding_trial,
    soundness_check,
    soundness_inf_check,
    start_trial,
    symbolic_trial,
    telescope_trial,
    telescoped_here,
    telescoped_inf_recomputed,
    telescoped_recomputed,
    trial,
)
from logprune.proofs.framework import Proof, Step, agreement, decide, identity, tested

CLAIM = "certificate"
MUTATIONS = {
    "no-eta-factor": "N2 without the factor 1/sqrt(1 - eta): ||W|| <= ||WV||",
    "no-underflow-term": "the rounding bound |e - fl(e)| <= 2^-52|e| without the absolute 2^-1074",
    "half-slope": "the difference quotient of relu in [0, 1/2] instead of [0, 1]",
    "no-carry-half": "the carry rule without ||c_U||/2: ||D(c + e)|| <= ||D°c|| + ||e||",
    "no-tau": "the start's radius without tau·||ẑ|| (the rounding of E forgotten)",
    "telescope-off-by-one": "the hybrid sum with z_(i+1) = v_i (F's activation) instead of u_i",
    "no-radius": "the interval product without its radius (the product at the box's centre only)",
    "hull-no-zero": "the hull carry without widening an unstable entry's interval to contain 0 (d·c in [c_lo, c_hi])",
    "form-keeps-unstable": "σ on an affine form keeps the form of an unstable neuron (y_hi >= 0), not only of an "
    "active one (y_lo >= 0)",
    "symbolic-no-gamma": "the affine form without the rounding term t >= |(W A - fl(W A))(x - x_c)| (W y - M d "
    "taken to be W s)",
    "ball-near-no-straddle": "the ball's near_j = min(|lo_j|, |hi_j|) also on a box side that straddles 0",
    "ball-no-rounding": "the ball's drop test and clip radius from the float sums as computed, with no rounding "
    "margin (fl <= S assumed)",
}


def _norm_steps(mutation: str | None) -> list[Step]:
    """The steps of N2: the rotation bound of a spectral norm, scalar core and on matrices."""
    eta, lam, s, r = sp.symbols("eta lambda s r", real=True)
    wn, c, kk, xn = sp.symbols("Wx c k x", real=True)
    t = sp.Symbol("t", real=True)
    n2_rhs = 1 if mutation == "no-eta-factor" else 1 / r
    return [
        decide(
            "N2, scalar core: if lambda >= 1 - eta with 0 <= eta < 1, s = sqrt(lambda) and r = sqrt(1 - eta), then "
            "1/s <= 1/r (so ||V^-1||_2 = 1/sigma_min(V) <= 1/sqrt(1 - eta))",
            1 / s <= n2_rhs,
            where=(eta >= 0, eta < 1, lam >= 1 - eta, s > 0, sp.Eq(s * s, lam), r > 0, sp.Eq(r * r, 1 - eta)),
        ),
        decide(
            "N2, the rotation: W x = (WV)(V^-1 x), so ||Wx|| <= ||WV||·||V^-1 x|| <= ||WV||·||V^-1||·||x|| "
            "(c >= ||WV||_2, k >= ||V^-1||_2)",
            wn <= c * kk * xn,
            where=(c >= 0, xn >= 0, wn <= c * t, t >= 0, t <= kk * xn),
        ),
        tested(
            "Row-sum bound: for a symmetric S, ||S||_2 <= max_i sum_j |S_ij| (r·I - S and r·I + S are positive "
            "semidefinite: every principal minor >= 0, exactly)",
            gershgorin_trial,
            count=300,
            domain="random symmetric S, n in 1..4, entries p/q with |p| <= 21, 1 <= q <= 7",
        ),
        tested(
            "N2 on matrices: eta = max row sum |VᵀV - I| < 1 gives sigma_min(V)^2 >= 1 - eta (VᵀV - (1 - eta)I "
            "PSD, exact minors), and ||Wx||^2 <= ||WV||^2·||x||^2/(1 - eta) on random x",
            trial(n2_trial, mutation),
            count=300,
            domain="V: products of rational plane rotations plus entries ± k/100, |k| <= 8 (n in 1..3, trials "
            "with eta >= 1 hold vacuously); W: m×n, m in 1..3, entries p/q; ||WV||_F >= ||WV||_2 in the bound",
        ),
    ]


def _rounding_steps(mutation: str | None) -> list[Step]:
    """The steps of the rounding of the error matrices."""
    p, q = sp.symbols("p q", real=True)
    return [
        tested(
            "Rounding of the errors: for any rational e and its float64 roundings (nearest, toward zero), "
            "|e - fl(e)| <= 2^-52|e| + 2^-1074; summed, ||E - fl(E)||_F^2 <= 2^-103||E||_F^2 + 2·count·2^-2148",
            trial(rounding_trial, mutation),
            count=800,
            domain="random rationals p/q·2^k, |p| <= 10^9, q in {1, 3, 7, 10^9 + 7}, k in [-1120, 40] "
            "(normal and subnormal float64 range and below), 1..6 entries",
        ),
        decide(
            "(a + b)^2 <= 2a^2 + 2b^2 for all reals (so (2^-52|e| + 2^-1074)^2 <= 2^-103 e^2 + 2·2^-2148)",
            (p + q) ** 2 <= 2 * p**2 + 2 * q**2,
        ),
    ]


def _relu_steps(mutation: str | None) -> list[Step]:
    """The steps of relu's difference quotients, the carry rule, the start and the hybrid telescoping."""
    a, b, dd = sp.symbols("a b d", real=True)
    ce, ee = sp.symbols("c e", real=True)
    relu_a, relu_b = sp.Max(0, a), sp.Max(0, b)
    diff, gap = relu_a - relu_b, a - b
    slope_max = sp.Rational(1, 2) if mutation == "half-slope" else 1
    carry_half = 0 if mutation == "no-carry-half" else sp.Rational(1, 2)
    d_hi = sp.Symbol("d", real=True)
    return [
        decide(
            "ReLU difference quotient: relu(a) - relu(b) = d(a - b) with d in [0, 1] (t = relu(a) - relu(b) has "
            "t(a - b) in [0, (a - b)^2], t = 0 when a = b), d = 1 when a, b >= 0 and d = 0 when a, b <= 0",
            sp.And(
                diff * gap >= 0,
                diff * gap <= slope_max * gap**2,
                sp.Implies(sp.Eq(a, b), sp.Eq(diff, 0)),
                sp.Implies(sp.And(a >= 0, b >= 0), sp.Eq(diff, gap)),
                sp.Implies(sp.And(a <= 0, b <= 0), sp.Eq(diff, 0)),
            ),
        ),
        decide(
            "Carry rule, an unstable coordinate: for d in [0, 1], |d(c + e) - c/2| <= |c|/2 + |e| "
            "(D = D° + Δ with D° = 1/2 and |Δ| <= 1/2)",
            (d_hi * (ce + ee) - ce / 2) ** 2 <= (carry_half * sp.Max(ce, -ce) + sp.Max(ee, -ee)) ** 2,
            where=(d_hi >= 0, d_hi <= 1),
        ),
        decide(
            "Carry rule, a stable coordinate: for d in {0, 1} (D° = D there), |d(c + e) - d·c| <= |e|",
            (dd * (ce + ee) - dd * ce) ** 2 <= ee**2,
            where=(sp.Or(sp.Eq(dd, 0), sp.Eq(dd, 1)),),
        ),
        tested(
            "Carry rule: for D diagonal in [0, 1] with unstable set U, ||D(c + e)|| <= ||D°c|| + ||c_U||/2 + ||e|| "
            "(D° has 1/2 on U and D's fixed 0/1 elsewhere)",
            trial(carry_trial, mutation),
            count=600,
            domain="n in 1..5, c, e entries p/q (|p| <= 21, q <= 7; e = 0 in a fifth of trials), U random, "
            "D on U in {0, 1/12, ..., 1}",
        ),
        tested(
            "The start: E z = fl(E)ẑ + [E(z - ẑ) + (E - fl(E))ẑ] with ||[...]|| <= Delta·||z - ẑ|| + tau·||ẑ|| "
            "(Delta >= ||E||_2, tau >= ||E - fl(E)||_F)",
            trial(start_trial, mutation),
            count=300,
            domain="E: m×n (m <= 3, n <= 4), entries p/q with q in {3, 7, 11, 10^6 + 3} (not floats); fl to "
            "nearest; z = ẑ in 30 % of trials, else ẑ ± k/1000; Delta = ||E||_F",
        ),
        tested(
            "Hybrid telescoping: with z_1 = x, u_i = σ(Ŵ_i z_i), v_i = σ(W_i z_i), z_(i+1) = u_i (no σ on the "
            "last layer), Σ_i [F_(>i)(u_i) - F_(>i)(v_i)] = Ĝ(x) - F(x), each term = W_l D_(l-1) ⋯ D_i E_i z_i "
            "with D_j diagonal in [0, 1]",
            trial(telescope_trial, mutation),
            count=240,
            domain="random ReLU nets, l in 1..4 layers, widths 1..3, W entries p/q (|p| <= 21, q <= 7), E entries "
            "p/q (|p| <= 5, q <= 9), x entries p/q; one branch in layer 1",
        ),
    ]


def _interval_steps(mutation: str | None) -> list[Step]:
    """The steps of the interval product, bounds/' a-priori form, and construct's carry."""
    return [
        tested(
            "Interval product: the mid-radius rule (enclose; construct.certificate.rules applies it) encloses "
            "{W x : lo <= x <= hi}; every exact W x at the box's corners and at random rational interior "
            "points lies in [lo', hi']",
            trial(matvec_trial, mutation),
            count=150,
            domain="float64 W (m in 1..4, n in 1..3) and boxes with entries ±U[0,1)·2^k, k in [-30, 10], 2 cells "
            "per call; the corners and 4 interior points per cell",
        ),
        agreement(
            "The a-priori bound of bounds/ (propagation, the plan's choice of k) is the certificate's telescoped "
            "form x_max·[Π(a_i + Delta_i) - Π a_i] at Delta_i = eps_w·sqrt(b_i·n_(i-1)·n_i) (the Frobenius bound "
            "of an error matrix whose entries are at most eps_w; b_1 = 2 branches on signed inputs), recomputed here",
            lambda: telescoped_here(mutation),
            bounds_a_priori,
            at=AT,
        ),
        tested(
            "construct.certificate.rules applies the rule: its interval product equals enclose's, bit for bit, on "
            "random float matrices and boxes",
            trial(applies_trial, mutation),
            count=60,
            domain="float64 W (m, n in 1..5, scaled by 2^k, |k| <= 20) and 3 boxes per call",
        ),
        tested(
            "construct.certificate.compose's carry (Composer.carry) is sound: for every centre c in its box, ||e||_2 "
            "<= rho "
            "and difference quotients D_j (1 active, 0 dead, [0, 1] unstable), the exact W_s D_(s-1) ⋯ W_1 D_0 "
            "(c + e) is within the bound it returns (l2 norm, or max coordinate with the last layer's row norms)",
            trial(construct_carry_trial, mutation),
            count=300,
            domain="1 or 2 relus carried, widths 1..4, W entries p/8 (|p| <= 24), centre boxes with entries p/16, "
            "rho in {0 (30 %), p/16}, l2 and inf; per trial 6 points (box corners/interior, e along c or random, "
            "||e|| = rho up to 2^-40), D on unstable coordinates in {0, 1, k/12}",
        ),
    ]


def _form_steps(mutation: str | None) -> list[Step]:
    """The steps of the hull carry and the affine forms."""
    dd = sp.Symbol("d", real=True)
    ce, ee = sp.symbols("c e", real=True)
    c_lo, c_hi, y, y_lo, y_hi = sp.symbols("c_lo c_hi y y_lo y_hi", real=True)
    no_zero = mutation == "hull-no-zero"
    hull_lo, hull_hi = (c_lo, c_hi) if no_zero else (sp.Min(c_lo, 0), sp.Max(c_hi, 0))
    keep_if = y_hi >= 0 if mutation == "form-keeps-unstable" else y_lo >= 0
    Wn, An, Mn, dn, sn = sp.symbols("W A M d s", commutative=False)
    form_rhs = Wn * sn if mutation == "symbolic-no-gamma" else (Wn * An - Mn) * dn + Wn * sn
    ws, e1, e2, d1, d2, g1, g2, r1, r2, m1, m2 = sp.symbols("Ws e1 e2 d1 d2 g1 g2 r1 r2 M1 M2", real=True)
    t_form = 0 if mutation == "symbolic-no-gamma" else g1 * r1 + g2 * r2
    return [
        decide(
            "Hull carry, one coordinate: for d in [0, 1] (a difference quotient of relu) and c in [c_lo, c_hi], "
            "d·c lies in [min(c_lo, 0), max(c_hi, 0)] (d = 1 on active, 0 on dead entries: inside too), and "
            "|d·e| <= |e|, so ||D e|| <= ||e|| for D diagonal in [0, 1]: (c, rho) goes to (that hull, rho)",
            sp.And(hull_lo <= dd * ce, dd * ce <= hull_hi, (dd * ee) ** 2 <= ee**2),
            where=(dd >= 0, dd <= 1, c_lo <= ce, ce <= c_hi),
        ),
        tested(
            "construct.certificate.compose's hull carry (Composer.carry_hull) is sound: for every centre c in its box, "
            "||e||_2 <= rho and difference quotients D_j (1 active, 0 dead, [0, 1] unstable), the exact "
            "W_s D_(s-1) ⋯ W_1 D_0 (c + e) is within the bound it returns (l2 norm, or max coordinate)",
            trial(construct_hull_trial, mutation),
            count=300,
            seed=1,
            domain="as the carry's check above: 1 or 2 relus carried, widths 1..4, W entries p/8, centre boxes "
            "p/16, rho in {0 (30 %), p/16}, l2 and inf, 6 points per trial, D on unstable coordinates in "
            "{0, 1, k/12}",
        ),
        decide(
            "σ on an affine form: for y in [y_lo, y_hi], relu(y) = y when y_lo >= 0 (the form kept on an active "
            "neuron), relu(y) = 0 when y_hi <= 0 (dead: zeroed), and always relu(y) in [0, max(y_hi, 0)] (an "
            "unstable neuron replaced by that constant interval)",
            sp.And(
                sp.Implies(keep_if, sp.Eq(sp.Max(0, y), y)),
                sp.Implies(y_hi <= 0, sp.Eq(sp.Max(0, y), 0)),
                sp.Max(0, y) >= 0,
                sp.Max(0, y) <= sp.Max(y_hi, 0),
            ),
            where=(y_lo <= y, y <= y_hi),
        ),
        identity(
            "Affine form through a layer: W(A d + s) - M d = (W A - M) d + W s for any matrices W, A, M and "
            "vectors d, s of matching shapes (so W y = M d + s' with s' = W s + (W A - M) d)",
            Wn * (An * dn + sn) - Mn * dn,
            form_rhs,
        ),
        decide(
            "Affine form, the enclosure of s': if c_lo <= (W s)_o <= c_hi (the interval product), "
            "|(W A - M)_oj| <= g_j and |d_j| <= r_j (j = 1, 2; more coordinates sum the same way), then "
            "(W s + (W A - M) d)_o lies in [c_lo - t, c_hi + t] with t = g_1 r_1 + g_2 r_2, and "
            "|(M d)_o| <= |M_o1| r_1 + |M_o2| r_2 =: q_o",
            sp.And(
                c_lo - t_form <= ws + e1 * d1 + e2 * d2,
                ws + e1 * d1 + e2 * d2 <= c_hi + t_form,
                m1 * d1 + m2 * d2 <= sp.Max(m1, -m1) * r1 + sp.Max(m2, -m2) * r2,
                -(m1 * d1 + m2 * d2) <= sp.Max(m1, -m1) * r1 + sp.Max(m2, -m2) * r2,
            ),
            where=(
                c_lo <= ws,
                ws <= c_hi,
                e1 <= g1,
                -g1 <= e1,
                e2 <= g2,
                -g2 <= e2,
                d1 <= r1,
                -r1 <= d1,
                d2 <= r2,
                -r2 <= d2,
            ),
        ),
        tested(
            "construct.certificate.rules' affine forms (affine_product) are sound: for y = A d + s with |d| <= xr "
            "and s in "
            "[s_lo, s_hi], the exact range of W y - M d (over all d and s: its corners, exactly) lies in the "
            "returned [lo, hi], and the exact sup of |M d| is <= q (M = fl(W A) as returned)",
            trial(symbolic_trial, mutation),
            count=300,
            domain="float64 W (m, k in 1..4), A (1 or 2 cells, k×n_0, n_0 in 1..3), s and xr with entries "
            "±U[0,1)·2^e, e in [-30, 10] (10 % zeros); s a point (0 or a float) in 40 % of trials",
        ),
    ]


def _ball_steps(mutation: str | None) -> list[Step]:
    """The steps of the ball's drop and clip, and the bound of one cell."""
    xk, b_lo, b_hi, xm, s_o, n_o, rr = sp.symbols("x_k lo hi x_max S_o N_o r", real=True)
    straddle = mutation == "ball-near-no-straddle"
    near = sp.Min(sp.Max(b_lo, -b_lo), sp.Max(b_hi, -b_hi)) if straddle else sp.Max(0, b_lo, -b_hi)
    ss, tt, uu, mm, fl_s = sp.symbols("S T u m fl", real=True)
    g_m, g_m1 = mm * uu / (1 - mm * uu), (mm + 1) * uu / (1 - (mm + 1) * uu)
    margin_concl = fl_s <= ss if mutation == "ball-no-rounding" else (1 - 2 * g_m1) * fl_s - tt <= ss
    return [
        decide(
            "The ball, drop and clip: for x in [lo, hi], x^2 >= near^2 with near = max(0, lo, -hi) (the least "
            "|x| on the interval); so for x in the box and the ball (x_k^2 + S_o <= x_max^2, S_o = Σ_(j != k) "
            "x_j^2 >= N_o = Σ_(j != k) near_j^2): near_k^2 + N_o <= x_max^2 (a box with Σ near^2 > x_max^2 has "
            "no point of the ball) and -r <= x_k <= r for any r >= 0 with r^2 >= x_max^2 - N_o (the clip)",
            sp.And(xk**2 >= near**2, near**2 + n_o <= xm**2, -rr <= xk, xk <= rr),
            where=(b_lo <= xk, xk <= b_hi, n_o >= 0, s_o >= n_o, xk**2 + s_o <= xm**2, rr >= 0, rr**2 >= xm**2 - n_o),
        ),
        decide(
            "The ball's rounding margin: a float sum fl of m >= 1 rounded nonnegative squares is at most "
            "(1 + γ_m)·S + T (S the exact sum, T its underflows; Higham, Lemma 3.1), so (1 - 2γ_(m+1))·fl - T "
            "<= S with γ_k = k·u/(1 - k·u), 0 < (m + 1)·u <= 1/4: the drop test and the clip radius use a "
            "lower bound of S",
            margin_concl,
            where=(ss >= 0, tt >= 0, uu > 0, mm >= 1, (mm + 1) * uu <= sp.Rational(1, 4), fl_s <= (1 + g_m) * ss + tt),
        ),
        tested(
            "construct.certificate.rules' drop and clip (in_ball) are sound in floats: a dropped box has Σ "
            "near_j^2 > "
            "x_max^2 exactly, and a kept box meeting the ball keeps, in its clipped box, every x_k of box ∩ "
            "ball (hi'_k = hi_k or hi'_k^2 >= x_max^2 - Σ_(j != k) near_j^2, exactly; lo'_k likewise)",
            trial(in_ball_trial, mutation),
            count=400,
            domain="n in 1..8 coordinates, 1..3 float boxes per call, x_max in {1, 7/8, 3, U(0.01, 1.01)} times "
            "2^e (e = 0, in [-40, 40], or in [-560, -500]: squares underflow); 70 % of boxes with their nearest "
            "point on the sphere up to rounding (x_max moved by 1..3 ulps in half of them), sides straddling 0 or "
            "reaching 3·x_max beyond",
        ),
        tested(
            "construct.certificate.compose's bound of one cell (Composer.cells: interval and affine-form boxes, σ "
            "on the forms, the stable sets, both carries, after the clip of in_ball) is >= the exact ||Ĝ(x) - F(x)|| "
            "(l2, or max coordinate) at the cell's corners and random points of cell ∩ ball",
            trial(cells_trial, mutation),
            count=150,
            domain="random nets of 2 or 3 layers, widths 1..3, W entries p/16 (|p| <= 24), E entries p/q (|p| <= 99, "
            "q in {300, 700, 1100}, given as fl(E) and tau), x_max in {1/2, 1, 3/2, 2, 3}, cells of width "
            "2^-k·[1/2, 2] (k <= 6) around centres in [-x_max, x_max]^n, l2 and inf; signed inputs, no bias",
        ),
    ]


def _end_to_end_steps(mutation: str | None) -> list[Step]:
    """The steps of construct's rotation bound and the end-to-end instance."""
    return [
        tested(
            "construct.certificate.norms' rotation bound (N2) is >= ||W||_2 for any V it is given, far from "
            "orthogonal too (eta up to 1/2): B^2·I - WᵀW positive semidefinite, exact principal minors",
            trial(rotation_trial, mutation),
            count=120,
            domain="float64 W (m, n in 1..4, entries p/8, |p| <= 24), V = s·I + small p/64 entries, s in [0.75, 1.2]",
        ),
        Step(
            "Soundness, end to end: the exact error ||Ĝ(x) - F(x)||_2 on a grid of the disk and at the attack's "
            "worst input (an independent lower bracket of the sup) is within construct's certificate",
            "instance",
            None,
            soundness_check,
            f"the instance {INSTANCE_AT}",
        ),
        Step(
            "Soundness, end to end, inf norm: the exact error max_k |(Ĝ(x) - F(x))_k| on the grid and at the "
            "attack's worst input is within construct's inf certificate",
            "instance",
            None,
            soundness_inf_check,
            f"the instance {INSTANCE_AT.replace(', l2', ', inf')} (two outputs)",
        ),
        agreement(
            "construct's inf telescoped bound equals x_max·[Dinf_l·Π_(i<l)(a_i + Delta_i) + ainf_l·(Π_(i<l)(a_i + "
            "Delta_i) - Π_(i<l) a_i)], recomputed here from its a_i, Delta_i, ainf_l, Dinf_l and x_max",
            lambda: telescoped_inf_recomputed(),
            lambda: instance_inf().telescoped,
            at=INSTANCE_AT.replace(", l2", ", inf"),
        ),
        agreement(
            "construct's telescoped bound equals x_max·[Π(a_i + Delta_i) - Π a_i], recomputed here from its a_i, "
            "Delta_i and x_max, and its certificate is the smaller of that and the composed bound",
            lambda: telescoped_recomputed(),
            lambda: instance().telescoped_and_bound,
            at=INSTANCE_AT,
        ),
    ]


def proof(mutation: str | None = None) -> Proof:
    steps = [
        *_norm_steps(mutation),
        *_rounding_steps(mutation),
        *_relu_steps(mutation),
        *_interval_steps(mutation),
        *_form_steps(mutation),
        *_ball_steps(mutation),
        *_end_to_end_steps(mutation),
    ]
    return Proof(
        claim=CLAIM,
        title="The certificate of a construction",
        statement="For a built Ĝ with exact errors E_i: sup_{||x||_2 <= x_max} ||Ĝ(x) - F(x)||_2 <= "
        "x_max·[Π(a_i + Delta_i) - Π a_i] (a_i >= ||W_i||_2 by N1/N2, Delta_i >= ||E_i||_2), and <= the composed "
        "bound of construct.certificate.compose (hybrid argument on cells); the certificate is the smaller.",
        assumptions=(
            "||x||_2 <= x_max (after the bias rewrite)",
            "N2: ||VᵀV - I||_2 <= eta < 1",
            "exact rational errors; float64 rounding to nearest or toward zero",
        ),
        steps=tuple(steps),
        differences=("The slides and the digest state no certificate (docs/claims.md, certificate).",),
        mutation=mutation,
    )
