"""The sympy symbols of logprune, one object per name, with fixed assumptions (shared by bounds/ and proofs/).

sympy identifies a symbol by its name *and* its assumptions: ``Symbol("k", positive=True)`` and
``Symbol("k", integer=True, nonnegative=True)`` are different symbols, and an expression built with one
never cancels against an expression built with the other.  Every module that writes a formula of the
claims (docs/claims.md) takes its symbols from here, so the formulas of different modules combine.

The assumptions are those the claims state: sizes are positive integers, accuracies, probabilities,
scales and log-widths are positive reals, a weight is real.

>>> k - sp.Symbol("k", integer=True, positive=True)
0
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "B",
    "D",
    "L",
    "R",
    "alpha",
    "b",
    "beta",
    "c",
    "delta",
    "eps",
    "events",
    "h",
    "i",
    "k",
    "layers",
    "m",
    "mu",
    "n",
    "p",
    "q",
    "s",
    "t",
    "u",
    "w",
    "x",
    "x_max",
]

# the hyperbolic law's support [alpha, beta] and the uniform law's half-width beta (docs/claims.md, L3, L2)
alpha, beta = sp.symbols("alpha beta", positive=True)
w = sp.Symbol("w", real=True)  # a weight (signed)
x = sp.Symbol("x", positive=True)  # a magnitude |w|
u = sp.Symbol("u", real=True)  # a point of log space, ln|a| + ln|b|
q = sp.Symbol("q", real=True)  # a probability level (the quantile function's argument)
t = sp.Symbol("t", positive=True)  # a product magnitude |ab|
B = sp.Symbol("B", positive=True)  # the uniform product range beta_a·beta_b

# the golden-ratio decomposition (docs/claims.md, L3): base, scale, accuracy, segment index, segments
b, s = sp.symbols("b s", positive=True)
eps = sp.Symbol("epsilon", positive=True)
i = sp.Symbol("i", positive=True)
k = sp.Symbol("k", integer=True, positive=True)  # the one k: segments of L3, categories of L4
L = sp.Symbol("L", positive=True)  # a log-width ln(beta/alpha) (L3/L4) or ln(k/delta) (L4)
h = sp.Symbol("h", positive=True)  # ln b, the log-width of one segment

# sampling and batch sampling (docs/claims.md, L1, L4)
p = sp.Symbol("p", positive=True)  # a success probability
events = sp.Symbol("events", positive=True)
c = sp.Symbol("c", positive=True)  # the coverage constant
m = sp.Symbol("m", positive=True)  # samples wanted per category
delta = sp.Symbol("delta", positive=True)
mu = sp.Symbol("mu", positive=True)  # a binomial mean M·c

# theorem-level sizes and propagation (docs/claims.md, C1, C2, C3, propagation)
n = sp.Symbol("n", positive=True)  # target width
layers = sp.Symbol("l", positive=True)  # target depth
x_max = sp.Symbol("x_max", positive=True)
D = sp.Symbol("D", positive=True)  # sum_i d_i/rho_i
R = sp.Symbol("R", positive=True)  # prod_i rho_i
