"""Tampered copies of a genuine Ĝ file, for ``verify``'s tests and ``benchmarks/campaign_tamper.py``.

:func:`tampered` walks a genuine file's meta (every JSON path: numbers, decimal strings, strings,
booleans, nulls, lists, objects; keys deleted and added; the meta replaced by other JSON or by text that
is not JSON) and its arrays (a value flipped, an index changed, an edge dropped or duplicated, a dtype or
a shape changed, ``append_one`` stored as the string "False", arrays missing or added), one change per
copy.  Each copy says what ``verify`` must answer (:attr:`Tampered.expect`):

- ``reject``: the file no longer holds what a construction writes; exit 2 (one line);
- ``accept``: the change is semantically neutral: a record ``verify`` cannot check (``measured_error``,
  which may include the user's own inputs, and ``versions``) changed within its type;
- ``oracle``: a changed request (``options``) that may still describe this very file (a weaker eps with
  the same plan); :func:`oracle` decides by building the request again: accept exactly when the build
  writes the same arrays and the same checkable meta.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["NOT_CHECKABLE", "Tampered", "load_arrays", "oracle", "tampered", "write_arrays"]

NOT_CHECKABLE = ("measured_error", "versions")


@dataclass(frozen=True)
class Tampered:
    """One tampered copy: its name, its class of change, the expected answer and every array to write."""

    name: str
    cls: str
    expect: str  # "reject", "accept" or "oracle" (module doc)
    arrays: dict[str, np.ndarray]


def load_arrays(path: str | Path) -> dict[str, np.ndarray]:
    """Every array of a .npz Ĝ file, ``meta`` included."""
    with np.load(path, allow_pickle=False) as z:
        return {k: np.array(z[k]) for k in z.files}


def write_arrays(path: str | Path, arrays: dict[str, np.ndarray]) -> None:
    np.savez(path, **arrays)  # type: ignore[arg-type]


def with_meta(src: str | Path, dst: str | Path, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """Write the Ĝ file ``src`` to ``dst`` with the meta node at ``path`` replaced (every other array as it
    is); return ``src``'s meta, to check what was there."""
    arrays = load_arrays(src)
    meta = json.loads(str(arrays["meta"]))
    write_arrays(dst, {**arrays, "meta": np.asarray(_dumps(_set(meta, path, value)))})
    return dict(meta)


def _dumps(doc: Any) -> str:
    return json.dumps(doc, sort_keys=True)


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    """A deep copy of ``doc`` with the node at ``path`` replaced."""
    if not path:
        return value
    out = json.loads(_dumps(doc))
    node = out
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = value
    return out


def _delete(doc: Any, path: tuple[Any, ...]) -> Any:
    out = json.loads(_dumps(doc))
    node = out
    for k in path[:-1]:
        node = node[k]
    del node[path[-1]]
    return out


def _leaves(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    """Every node of a JSON document with its path (containers before their children)."""
    yield path, doc
    if isinstance(doc, dict):
        for k in sorted(doc):
            yield from _leaves(doc[k], (*path, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _leaves(v, (*path, i))


def _changes(v: Any) -> list[tuple[str, Any]]:
    """The replacements tried for one JSON value, by its kind."""
    if isinstance(v, bool):
        return [("bool-as-string", str(v)), ("bool-flipped", not v), ("bool-as-int", int(v))]
    if isinstance(v, int):
        return [
            ("int+1", v + 1),
            ("int-1", v - 1),
            ("int-huge", 10**8 if v < 10**8 else v * 10),
            ("int-as-string", str(v)),
            ("int-as-float", float(v)),
        ]
    if isinstance(v, float):
        return [
            ("float-ulp", float(np.nextafter(v, math.inf))),
            ("float-doubled", 2 * v if v else 1.0),
            ("float-as-string", repr(v)),
            ("float-negative", -v - 1.0),
        ]
    if isinstance(v, str):
        out: list[tuple[str, Any]] = [("string-changed", v + "x"), ("string-empty", "")]
        try:
            q = Fraction(v)
        except (ValueError, ZeroDivisionError):
            return out
        respelled = repr(float(q)) if q.denominator != 1 else f"{q.numerator}.0"
        if respelled == v:  # already a decimal: spell it as a fraction
            respelled = f"{q.numerator}/{q.denominator}"
        return [
            *out,
            ("decimal-doubled", str(2 * q) if q else "1"),
            ("decimal-halved", str(q / 2) if q else "-1"),
            ("decimal-respelled", respelled),
            ("decimal-huge", "1000"),
            ("decimal-negative", str(-q) if q else "-1"),
        ]
    if v is None:
        return [("null-as-0", 0), ("null-as-string", "None"), ("null-as-false", False)]
    if isinstance(v, list):
        return [
            ("list-drop-last", v[:-1]),
            ("list-append", [*v, v[-1]] if v else [0]),
            ("list-as-object", {}),
        ]
    assert isinstance(v, dict)
    return [("object-as-list", []), ("object-extra-key", {**v, "extra": 1})]


def _neutral(meta: Any) -> bool:
    """Whether the records verify cannot check still have their types (the change is then neutral)."""
    if not isinstance(meta, dict):
        return False
    m = meta.get("measured_error", None)
    if "measured_error" not in meta or isinstance(m, bool):
        return False
    if m is not None and not (isinstance(m, int | float) and math.isfinite(m) and m >= 0):
        return False
    v = meta.get("versions")
    return isinstance(v, dict) and all(isinstance(k, str) and isinstance(x, str) for k, x in v.items())


def _expect(path: tuple[Any, ...], new_meta: Any) -> str:
    if path and path[0] in NOT_CHECKABLE:
        return "accept" if _neutral(new_meta) else "reject"
    if len(path) >= 2 and path[0] == "options":
        return "oracle"
    return "reject"


def _meta_tampers(arrays: dict[str, np.ndarray]) -> Iterator[Tampered]:
    meta = json.loads(str(arrays["meta"]))

    def copy(name: str, cls: str, expect: str, text: str) -> Tampered:
        return Tampered(name, cls, expect, {**arrays, "meta": np.asarray(text)})

    for path, value in _leaves(meta):
        where = ".".join(str(p) for p in path) or "<meta>"
        for what, new in _changes(value):
            doc = _set(meta, path, new)
            yield copy(f"meta {where}: {what}", f"meta:{what}", _expect(path, doc), _dumps(doc))
        if path:
            doc = _delete(meta, path)
            yield copy(f"meta {where}: deleted", "meta:delete-key", _expect(path, doc), _dumps(doc))
    yield copy("meta: extra top-level key", "meta:extra-key", "reject", _dumps({**meta, "comment": "hi"}))
    yield copy("meta: a JSON list", "meta:type", "reject", _dumps([meta]))
    yield copy("meta: a JSON string", "meta:type", "reject", _dumps("logprune.ghat/2"))
    yield copy("meta: null", "meta:type", "reject", "null")
    yield copy("meta: not JSON", "meta:text", "reject", _dumps(meta)[:-1])
    yield copy("meta: NaN", "meta:text", "reject", _dumps({**meta, "measured_error": 0.5}).replace("0.5", "NaN", 1))
    yield copy(
        "meta: 1e999", "meta:text", "reject", _dumps({**meta, "share_within_eps_w": 0.5}).replace("0.5", "1e999")
    )
    text = _dumps(meta)
    yield copy("meta: duplicated key", "meta:text", "reject", text[:-1] + ', "format": "logprune.ghat/2"}')


def _with(arrays: dict[str, np.ndarray], **changes: np.ndarray) -> dict[str, np.ndarray]:
    return {**arrays, **changes}


def _array_tampers(arrays: dict[str, np.ndarray]) -> Iterator[Tampered]:
    T = int(arrays["layers"])

    def copy(name: str, cls: str, new: dict[str, np.ndarray]) -> Tampered:
        return Tampered(name, f"array:{cls}", "reject", new)

    for t in range(1, T + 1):
        sh, r, c, v = (arrays[f"w{t}_{s}"] for s in ("shape", "row", "col", "val"))
        w = f"w{t}"
        if v.size:
            for what, f in (
                ("value-negated", lambda x: -x),
                ("value-ulp", lambda x: np.nextafter(x, np.inf)),
                ("value-zero", lambda x: 0.0 * x),
                ("value-nan", lambda x: np.nan),
                ("value-inf", lambda x: np.inf),
            ):
                vv = v.copy()
                vv[0] = f(vv[0])
                yield copy(f"{w}_val[0]: {what}", what, _with(arrays, **{f"{w}_val": vv}))
            yield copy(f"{w}_val: float32", "dtype", _with(arrays, **{f"{w}_val": v.astype(np.float32)}))
            yield copy(f"{w}_val: float16", "dtype", _with(arrays, **{f"{w}_val": v.astype(np.float16)}))
            yield copy(f"{w}_val: int64", "dtype", _with(arrays, **{f"{w}_val": v.astype(np.int64)}))
            for name, idx, dim in (("row", r, int(sh[0])), ("col", c, int(sh[1]))):
                key = f"{w}_{name}"
                if dim > 1:
                    ii = idx.copy()
                    ii[0] = (ii[0] + 1) % dim
                    yield copy(f"{key}[0]: index changed", "index-changed", _with(arrays, **{key: ii}))
                    ii = idx.copy()
                    ii[-1] = (ii[-1] + dim - 1) % dim
                    yield copy(f"{key}[-1]: index changed", "index-changed", _with(arrays, **{key: ii}))
                ii = idx.copy()
                ii[0] = dim
                yield copy(f"{key}[0]: index out of range", "index-out-of-range", _with(arrays, **{key: ii}))
                ii = idx.copy()
                ii[0] = -1
                yield copy(f"{key}[0]: negative index", "index-out-of-range", _with(arrays, **{key: ii}))
                for dt in (np.int32, np.uint64, np.float64):
                    yield copy(f"{key}: {np.dtype(dt).name}", "dtype", _with(arrays, **{key: idx.astype(dt)}))
                yield copy(f"{key}: 2-d", "shape", _with(arrays, **{key: idx.reshape(-1, 1)}))
            keep = np.arange(1, v.size)
            yield copy(
                f"{w}: first edge dropped",
                "edge-dropped",
                _with(arrays, **{f"{w}_row": r[keep], f"{w}_col": c[keep], f"{w}_val": v[keep]}),
            )
            keep = np.arange(v.size - 1)
            yield copy(
                f"{w}: last edge dropped",
                "edge-dropped",
                _with(arrays, **{f"{w}_row": r[keep], f"{w}_col": c[keep], f"{w}_val": v[keep]}),
            )
            dup = np.r_[np.arange(v.size), 0]
            yield copy(
                f"{w}: first edge duplicated",
                "edge-duplicated",
                _with(arrays, **{f"{w}_row": r[dup], f"{w}_col": c[dup], f"{w}_val": v[dup]}),
            )
            yield copy(f"{w}_val: one entry short", "shape", _with(arrays, **{f"{w}_val": v[:-1]}))
            none = np.zeros(0, dtype=np.int64)
            yield copy(
                f"{w}: every edge dropped",
                "layer-emptied",
                _with(arrays, **{f"{w}_row": none, f"{w}_col": none, f"{w}_val": np.zeros(0)}),
            )
        for what, new in (
            ("rows+1", sh + np.array([1, 0])),
            ("cols+1", sh + np.array([0, 1])),
            ("rows x 10^8", sh * np.array([10**8, 1])),
            ("float", sh.astype(np.float64)),
            ("three entries", np.r_[sh, 1]),
            ("zero rows", sh * np.array([0, 1])),
        ):
            yield copy(f"{w}_shape: {what}", "shape", _with(arrays, **{f"{w}_shape": new}))
    a1 = bool(arrays["append_one"])
    for what, new in (
        ('"False"', np.asarray("False")),
        ('"True"', np.asarray("True")),
        ("flipped", np.asarray(not a1)),
        ("int", np.asarray(int(a1), dtype=np.int64)),
        ("1-d", np.asarray([a1])),
    ):
        yield copy(f"append_one: {what}", "append_one", _with(arrays, append_one=new))
    for what, new in (
        ("+1", np.asarray(T + 1, dtype=np.int64)),
        ("-1", np.asarray(T - 1, dtype=np.int64)),
        ("-2", np.asarray(T - 2, dtype=np.int64)),
        ("float", np.asarray(float(T))),
        ("1-d", np.asarray([T], dtype=np.int64)),
    ):
        yield copy(f"layers: {what}", "layers", _with(arrays, layers=new))
    for key in ("layers", "append_one", "meta", "w1_val", f"w{T}_row"):
        yield copy(f"array {key} removed", "array-missing", {k: x for k, x in arrays.items() if k != key})
    yield copy("extra array", "array-extra", _with(arrays, extra=np.zeros(3)))
    yield copy("meta as bytes", "meta-dtype", _with(arrays, meta=np.asarray(str(arrays["meta"]).encode())))
    yield copy("meta as 1-d", "meta-dtype", _with(arrays, meta=np.asarray([str(arrays["meta"])])))


def tampered(arrays: dict[str, np.ndarray]) -> Iterator[Tampered]:
    """Every tampered copy of the genuine file whose arrays are ``arrays`` (module doc)."""
    yield from _meta_tampers(arrays)
    yield from _array_tampers(arrays)


def oracle(t: Tampered, target: Any) -> str:
    """``accept`` when the tampered request, built again, writes this very file (arrays and every
    checkable meta field), else ``reject``: a changed request is neutral only if it is this file's."""
    from logprune.construct.options import options
    from logprune.construct.pipeline import construct
    from logprune.errors import LogpruneError

    meta = json.loads(str(t.arrays["meta"]))
    doc = meta.get("options")
    try:
        opt = options(**doc)
    except (LogpruneError, TypeError):
        return "reject"
    if _dumps(opt.as_json()) != _dumps(doc):  # construct writes its request in one spelling
        return "reject"
    c = construct(target, opt, workers=1, measure=False)
    if not c.ok:
        return "reject"
    want = {k: v for k, v in json.loads(_dumps(c.meta())).items() if k not in NOT_CHECKABLE}
    got = {k: v for k, v in meta.items() if k not in NOT_CHECKABLE}
    if _dumps(want) != _dumps(got):
        return "reject"
    net = c.built.net
    for i, (shape, r, col, v) in enumerate(zip(net.shapes, net.rows, net.cols, net.vals, strict=True), start=1):
        for key, arr in (("shape", np.asarray(shape)), ("row", r), ("col", col), ("val", v)):
            if not np.array_equal(t.arrays[f"w{i}_{key}"], arr):
                return "reject"
    return "accept"


def tiny_target(folder: str | Path, seed: int = 1) -> Path:
    """A target small enough for hundreds of verifications a minute: 2 -> 3 -> 2 with a bias (an
    appended 1), written as .npz."""
    rng = np.random.default_rng(seed)
    path = Path(folder) / "tiny_target.npz"
    np.savez(path, W1=rng.normal(size=(3, 2)) * 0.5, b1=rng.normal(size=3) * 0.1, W2=rng.normal(size=(2, 3)) * 0.5)
    return path


def _forged(c: Any, net: Any, opt: Any, pl: Any, errors: Any) -> dict[str, np.ndarray]:
    """The arrays of a file whose every derivable record is consistent with ``net`` (what a forger who
    recomputes the records with logprune itself would write)."""
    from logprune.construct.build import Built
    from logprune.construct.certificate.certify import assess
    from logprune.construct.io.ghat_file import GhatArrays, _arrays
    from logprune.construct.numeric import context_for
    from logprune.construct.result import Construction

    a = assess(
        context_for(opt.arithmetic),
        target=c.target,
        errors=errors,
        norms=pl.norms,
        x_eff=pl.x_max_eff,
        domain=opt.domain,
        eps=opt.eps,
        weight_eps=opt.weight_eps,
    )
    sizes = c.built.block_sizes if pl.adaptive else ()
    forged = Construction(
        target=c.target,
        options=opt,
        plan=pl,
        built=Built(net, tuple(errors), (), sizes),
        assessment=a,
        measured_error=c.measured_error,
        seconds=0.0,
    )
    arrays = _arrays(GhatArrays(net, c.target.append_one, forged.meta()))
    arrays["meta"] = np.asarray(_dumps(forged.meta()))
    return arrays


def forge_emptied(c: Any) -> dict[str, np.ndarray]:
    """Every layer of ``c``'s Ĝ emptied and every record recomputed: a file whose claims all hold for
    the zero network (a claim the zero network meets says nothing: verify flags it as vacuous)."""
    from logprune.construct.effective import ErrorStats, Products, column_errors
    from logprune.construct.forward import SparseNet
    from logprune.construct.numeric import context_for

    pl, opt = c.plan, c.options
    none = np.zeros(0, dtype=np.int64)
    net = SparseNet(c.built.net.shapes, (none,) * len(c.built.net.shapes), (none,) * len(c.built.net.shapes),
                    (np.zeros(0),) * len(c.built.net.shapes))  # fmt: skip
    ctx = context_for(opt.arithmetic)
    errors = []
    for i, W in enumerate(c.target.weights):
        stats = ErrorStats(n_out=W.shape[0])
        empty = Products(none, none, none, np.zeros(0), np.zeros(0))
        for j in range(W.shape[1]):
            column_errors(ctx, w=W[:, j], branches=pl.branches[i], products=empty, eps_w=pl.eps_w, into=stats)
        errors.append(stats)
    return _forged(c, net, opt, pl, errors)


def forge_block(c: Any, block: int) -> dict[str, np.ndarray]:
    """``c``'s Ĝ re-indexed for blocks of ``block`` neurons (options.width, the plan, the shapes and the
    indices all consistent): the kept weights regenerate unchanged (a block is the prefix of any larger
    one), so only the size of the blocks verify would draw tells this file from a genuine one."""
    import dataclasses

    from logprune.construct.forward import SparseNet
    from logprune.construct.plan import plan

    opt = dataclasses.replace(c.options, width=block)
    from logprune.construct import plan as plan_module

    limit = plan_module.MEMORY_LIMIT_BYTES
    plan_module.MEMORY_LIMIT_BYTES = 2**62  # the forger is not bound by construct's limit
    try:
        pl = plan(c.target, opt)
    finally:
        plan_module.MEMORY_LIMIT_BYTES = limit
    old, pool, net = c.plan.block, c.plan.pool, c.built.net
    shapes, rows, cols = [], [], []
    for i, W in enumerate(c.target.weights):
        n_out, n_in = W.shape
        width = pool.width(n_in, n_out, pl.block)
        shapes += [(width, n_in), (n_out, width)]

        def move(u: np.ndarray, n_out: int = n_out) -> np.ndarray:
            o, p = pool.position(u, n_out, old)
            moved: np.ndarray = pool.neuron(0, o, p, n_out, pl.block) + pool.width(1, n_out, pl.block) * pool.block_of(
                u, n_out, old
            )
            return moved

        rows += [move(net.rows[2 * i]), net.rows[2 * i + 1]]
        cols += [net.cols[2 * i], move(net.cols[2 * i + 1])]
    moved = SparseNet(tuple(shapes), tuple(rows), tuple(cols), net.vals)
    return _forged(c, moved, opt, pl, list(c.built.errors))
