"""``verify`` trusts nothing (issue #13, item 4): every tampered copy of a genuine Ĝ file is refused in one
line (exit 2) unless the change is semantically neutral, every genuine file verifies, the accuracy checked
is the user's when given, the file's numeric context is honoured, and allocations are bounded first."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from logprune.cli import main
from logprune.construct import plan as plan_module
from logprune.construct import verify as verify_module
from logprune.construct.io.targets import load_target
from logprune.construct.options import options
from logprune.construct.pipeline import construct
from logprune.construct.plan import Plan
from logprune.construct.result import Construction
from logprune.construct.target import Target
from logprune.construct.verify import MEMORY_LIMIT_BYTES, OPTION_TYPES, OPTIONAL_OPTIONS, verify
from logprune.errors import LogpruneError, ParameterError, VerificationError

from tamper import NOT_CHECKABLE, Tampered, forge_block, forge_emptied, load_arrays, oracle, tampered, tiny_target

GENUINE: dict[str, dict[str, Any]] = {
    "exact-l2": {"eps": "0.1"},
    "ball": {"eps": "0.1", "arithmetic": "ball"},
    "inf-nonnegative": {"eps": "0.1", "norm": "inf", "inputs_nonnegative": True},
    "weight-eps-per-weight-pool": {"weight_eps": "0.05", "pooling": "per-weight"},
    "designed-signs": {"eps": "0.1", "signs": "designed", "seed": 7},
    "adaptive-subset-sum": {
        "weight_eps": "0.05",
        "method": "subset-sum",
        "dist": "uniform",
        "signs": "designed",
        "width": "adaptive",
    },
    "vacuous-weight-eps": {"weight_eps": "10000"},
}


class Files:
    """The tiny target and one genuine construction (and file) per request of :data:`GENUINE`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.target_path = tiny_target(folder)
        self.target: Target = load_target(self.target_path)[0]
        self.built: dict[str, Construction] = {}
        self.path: dict[str, Path] = {}
        for label, kw in GENUINE.items():
            c = construct(self.target, options(**kw), workers=1)
            assert c.ok, label
            self.built[label] = c
            self.path[label] = folder / f"{label}.npz"
            c.write(self.path[label])

    def write(self, name: str, arrays: dict[str, np.ndarray]) -> Path:
        path = self.folder / name
        np.savez(path, **arrays)  # type: ignore[arg-type]
        return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Files:
    return Files(tmp_path_factory.mktemp("hardening_verify"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    rc = main(list(argv))
    out, err = capsys.readouterr()
    return rc, out, err


@pytest.mark.parametrize("label", sorted(GENUINE))
def test_every_genuine_file_verifies_in_its_own_context(files: Files, label: str, tmp_path: Path) -> None:
    c = files.built[label]
    rep = verify(files.path[label], files.target)
    assert rep.ok and rep.compared_bound and rep.accuracy_source == "file"
    assert rep.certified_bound == c.certificate.bound and rep.regenerated == c.kept
    assert rep.request.arithmetic is c.options.arithmetic  # ball is verified in ball arithmetic
    assert (rep.vacuous is not None) == (label == "vacuous-weight-eps")
    c.write(tmp_path / "g.safetensors")
    assert verify(tmp_path / "g.safetensors", files.target).ok


@pytest.mark.evidence
def test_every_tampered_file_is_refused_in_one_line_unless_neutral(files: Files) -> None:
    """Hundreds of one-change copies of two genuine files (the certified mode, and adaptive subset-sum
    blocks, which carry block_sizes); the neutral ones are named: the records verify cannot check
    (changed within their type) and changed requests that rebuild this very file."""
    wrong: list[str] = []
    counts = {"reject": 0, "accept": 0}
    for label in ("exact-l2", "adaptive-subset-sum"):
        cases: list[Tampered] = list(tampered(load_arrays(files.path[label])))
        assert len(cases) > 300
        for n, t in enumerate(cases):
            path = files.write("t.npz", t.arrays)
            expect = oracle(t, files.target) if t.expect == "oracle" else t.expect
            counts[expect] += 1
            try:
                rep = verify(path, files.target)
            except LogpruneError as exc:
                if expect == "accept" or "\n" in str(exc):  # every LogpruneError is exit 2
                    wrong.append(f"{label}: {t.name}: expected {expect}, raised {type(exc).__name__}: {exc}")
                continue
            if expect == "reject" or not rep.ok:
                wrong.append(f"{label}: {t.name}: expected {expect}, verified (ok={rep.ok})")
            elif n % 40 == 0:  # the command line too, now and then
                assert main(["verify", str(path), "--target", str(files.target_path)]) == 0
    assert not wrong, "\n".join(wrong[:30])
    assert counts["reject"] > 600 and counts["accept"] >= 10


def test_the_neutral_records_are_the_documented_ones() -> None:
    assert set(verify_module.NOT_CHECKABLE) == set(NOT_CHECKABLE) == {"measured_error", "versions"}
    doc = verify_module.__doc__ or ""
    assert all(f"``{k}``" in doc for k in NOT_CHECKABLE)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert all(f"`{k}`" in readme for k in NOT_CHECKABLE) and "not checkable" in readme
    assert set(OPTION_TYPES) == set(options(eps="1/2", segments=3).as_json())
    # segments is written only when k was fixed; prune is always written, and optional only for files
    # written before it existed (read as the fewest pruner, the one they were pruned with)
    assert set(OPTION_TYPES) - set(options(eps="1/2").as_json()) == {"segments"}
    assert set(OPTIONAL_OPTIONS) == {"segments", "prune"}


def test_a_tampered_file_exits_2_with_one_line(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    arrays = load_arrays(files.path["exact-l2"])
    meta = json.loads(str(arrays["meta"]))
    cases = {
        "append_one": {**arrays, "append_one": np.asarray("False")},
        "options.inputs_nonnegative": {
            **arrays,
            "meta": np.asarray(json.dumps({**meta, "options": {**meta["options"], "inputs_nonnegative": "False"}})),
        },
        "options refused: x_max=-1": {
            **arrays,
            "meta": np.asarray(json.dumps({**meta, "options": {**meta["options"], "x_max": "-1"}})),
        },
        "options refused: pool=bogus": {
            **arrays,
            "meta": np.asarray(json.dumps({**meta, "options": {**meta["options"], "pooling": "bogus"}})),
        },
        "max_weight_error.decimal": {
            **arrays,
            "meta": np.asarray(json.dumps({**meta, "max_weight_error": {**meta["max_weight_error"], "decimal": "0"}})),
        },
        "meta.comment": {**arrays, "meta": np.asarray(json.dumps({**meta, "comment": 1}))},
        "w1_row.dtype=int32": {**arrays, "w1_row": arrays["w1_row"].astype(np.int32)},
    }
    for name, new in cases.items():
        path = files.write("t.npz", new)
        rc, out, err = run(capsys, "verify", str(path), "--target", str(files.target_path))
        assert rc == 2 and out == "" and err.count("\n") == 1 and name in err, (name, err)


def test_the_users_accuracy_decides_and_the_report_says_whose(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    path, tgt = str(files.path["exact-l2"]), str(files.target_path)
    rc, out, _ = run(capsys, "verify", path, "--target", tgt, "--eps", "1e-9")
    assert rc == 1 and "NOT OK" in out and "claim checked: the user's" in out and "eps=1/1000000000" in out
    rc, out, _ = run(capsys, "verify", path, "--target", tgt, "--eps", "1", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["ok"] and doc["accuracy_source"] == "user" and doc["checked"]["eps"] == "1"
    rc, out, _ = run(capsys, "verify", path, "--target", tgt, "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["accuracy_source"] == "file" and doc["checked"]["eps"] == "1/10"
    rc, out, _ = run(capsys, "verify", path, "--target", tgt, "--weight-eps", "1e-12")
    assert rc == 1 and "max weight error" in out.splitlines()[-1]
    rc, _, err = run(capsys, "verify", path, "--target", tgt, "--eps", "0.1", "--weight-eps", "0.1")
    assert rc == 2 and "not allowed with" in err
    rc, _, err = run(capsys, "verify", path, "--target", tgt, "--eps", "0")
    assert rc == 2 and "eps=0" in err
    c = files.built["exact-l2"]
    lib = verify(files.path["exact-l2"], files.target, weight_eps=c.max_weight_error)  # the exact bound: OK
    assert lib.ok and lib.weight_eps == c.max_weight_error
    with pytest.raises(ParameterError, match="not both"):
        verify(files.path["exact-l2"], files.target, eps="0.1", weight_eps="0.1")


def test_a_vacuous_claim_is_flagged_and_an_emptied_file_is_refused(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    """The zero network meets weight_eps >= w_max: such a file (even emptied, with every record
    recomputed) holds what it claims, and the report says the claim is vacuous; emptied, a file whose
    claim means something fails it (construct writes no such file)."""
    path = files.write("empty.npz", forge_emptied(files.built["vacuous-weight-eps"]))
    rep = verify(path, files.target)
    assert rep.ok and rep.regenerated == 0 and rep.vacuous is not None and "zero network" in rep.vacuous
    rc, out, _ = run(capsys, "verify", str(path), "--target", str(files.target_path), "--json")
    assert rc == 0 and json.loads(out)["vacuous"] is True
    rep = verify(files.path["exact-l2"], files.target, eps="1000")  # the user's own vacuous accuracy
    assert rep.ok and rep.vacuous is not None and "eps=1000" in rep.vacuous
    with pytest.raises(VerificationError, match="the file's own claim does not hold"):
        verify(files.write("empty.npz", forge_emptied(files.built["exact-l2"])), files.target)
    arrays = load_arrays(files.path["exact-l2"])
    meta = json.loads(str(arrays["meta"]))
    meta["options"]["eps"] = "1000"
    with pytest.raises(VerificationError, match="eps=1000"):
        verify(files.write("t.npz", {**arrays, "meta": np.asarray(json.dumps(meta))}), files.target)


def test_a_file_built_in_ball_arithmetic_verifies_and_another_context_is_said_plainly(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    tgt = str(files.target_path)
    rc, out, err = run(capsys, "verify", str(files.path["ball"]), "--target", tgt)
    assert rc == 0 and err == "" and "(equal to the file's)" in out and "recomputed in ball arithmetic" in out
    rc, out, err = run(capsys, "verify", str(files.path["ball"]), "--target", tgt, "--context", "exact")
    assert rc == 0 and err == "" and "in exact arithmetic; the file's records in ball arithmetic" in out
    assert "are not compared" in out
    rc, out, _ = run(capsys, "verify", str(files.path["exact-l2"]), "--target", tgt, "--context", "float", "--json")
    doc = json.loads(out)
    assert rc == 0 and doc["not_compared"] == ["certified_bound", "max_weight_error", "share_within_eps_w"]
    assert doc["context"] == "float" and doc["file_context"] == "exact" and "not a certificate" in doc["reason"]


def test_blocks_beyond_the_memory_limit_are_refused_before_any_allocation(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A consistent forgery (width 10^8 in the request, the plan, the shapes and the indices) would make
    verify draw blocks of 10^8 neurons (12 GiB with their temporaries): refused first, in one line."""
    path = files.write("huge.npz", forge_block(files.built["exact-l2"], 10**8))
    tracemalloc.start()
    try:
        # the recomputed plan refuses it (construct's own limit), before verify's shape check would
        with pytest.raises(ParameterError, match=r"width=100000000: one block of G .* above the limit"):
            verify(path, files.target)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 2**20
    # the limit is what stands between this file and the allocation: without it, a block is drawn next
    monkeypatch.setattr(plan_module, "MEMORY_LIMIT_BYTES", 2**62)
    with pytest.raises(
        VerificationError, match=f"plan.block_size=100000000: .*MEMORY_LIMIT_BYTES={MEMORY_LIMIT_BYTES}"
    ):
        verify(path, files.target)
    monkeypatch.setattr(verify_module, "MEMORY_LIMIT_BYTES", 2**62)

    def draw_block(*args: object, **kw: object) -> None:
        raise RuntimeError("a block of G drawn")

    monkeypatch.setattr(Plan, "draw_block", draw_block)
    with pytest.raises(RuntimeError, match="a block of G drawn"):
        verify(path, files.target)
