"""The human summary of a construction (printed by ``logprune construct`` and ``logprune demo``)."""

from __future__ import annotations

from logprune.construct.build import Built, succeeded


def summary_lines(built: Built, *, measured: float, out: str | None) -> list[str]:
    pl, opt, cert = built.plan, built.opt, built.cert
    tw = built.target.n_weights
    mode = (
        f"per-weight tolerance weight_eps={opt.weight_eps}"
        if opt.weight_eps is not None
        else f"certified output eps={opt.eps} ({opt.norm} norm, ||x||_2 <= {opt.x_max})"
    )
    bound_note = (
        f"{pl.block} (bound: {pl.block_from_bound})"
        if pl.block_from_bound is not None
        else f"{pl.block} (no bound for this method/law)"
    )
    lines = [
        f"target: widths {list(built.target.original_widths)}, {tw} weights"
        + (" (+ biases folded into a constant-1 neuron)" if built.target.append_one else ""),
        f"mode: {mode}; method={opt.method}, pooling={opt.pool}, dist={opt.dist}, seed={opt.seed}, delta={opt.delta}",
        f"per-weight accuracy eps_w = {float(pl.eps_w):.4g}, k = {pl.k} segments, coverage c = {pl.coverage}",
        f"G: depth {len(built.shapes)}, {built.g_neurons} neurons, {built.g_weights} weights; "
        f"block size P = {bound_note}",
        f"G sampled (keepable) weights per target weight: {built.sampled_per_target_weight:.2f}",
        f"Ĝ: {built.kept} kept weights = {built.kept / tw:.3f} per target weight",
        f"max |effective weight - target weight| = {float(built.max_weight_error):.4e} (exact); "
        f"{100 * built.within_eps_w:.2f} % of them <= eps_w",
        f"certified bound sup||Ĝ(x)-F(x)|| <= {float(cert.bound):.4e} ({cert.context}"
        + (", certified)" if cert.certified else ", float estimate: not a certificate)"),
        f"measured error on sample inputs: {measured:.4e}",
        f"time: {built.seconds:.2f} s",
        ("result: OK" if succeeded(built) else "result: FAILED")
        + (f", written to {out}" if out and succeeded(built) else ""),
    ]
    return lines
