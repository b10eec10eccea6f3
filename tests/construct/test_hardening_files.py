"""Every file logprune reads, crafted to break it (issue #13, "Files in"): refused in one line, exit 2.

Truncated and corrupt containers, random bytes, non-``.npy`` members, pickled objects, complex, string,
object, void and datetime dtypes, layer names far beyond the arrays present, zip bombs, headers that
declare more than the file holds, safetensors headers that lie, checkpoints with tensors numpy cannot
hold exactly: each must raise a :class:`~logprune.errors.LogpruneError` with a one-line message before
any large allocation, and the CLI must exit 2 with one line on stderr and no output file.
"""

from __future__ import annotations

import contextlib
import io
import json
import struct
import time
import tracemalloc
import warnings
import zipfile
from collections.abc import Callable
from importlib.resources import as_file, files
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from safetensors.numpy import save

from logprune.cli import main
from logprune.construct.io.containers import MAX_BYTES, read_npy, read_npz
from logprune.construct.io.targets import load_inputs, load_target
from logprune.construct.target import target_from_arrays
from logprune.errors import LogpruneError, ParameterError, ParameterTypeError

MIB = 1 << 20


# ------------------------------------------------------------------------------------------------ crafting


def _demo() -> dict[str, np.ndarray]:
    with as_file(files("logprune") / "data" / "demo_target.npz") as p, np.load(p) as z:
        return {k: np.asarray(z[k]) for k in z.files}


DEMO = _demo()


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=a.dtype == object)
    return buf.getvalue()


def _header(descr: str, shape: tuple[int, ...]) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": False, "shape": shape})
    return buf.getvalue()


def _zip(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", compression) as zf:
        warnings.simplefilter("ignore")  # a duplicate name is on purpose
        for name, data in members:
            zf.writestr(name, data)
    return buf.getvalue()


def _npz(arrays: dict[str, np.ndarray], compression: int = zipfile.ZIP_STORED) -> bytes:
    return _zip([(f"{k}.npy", _npy(v)) for k, v in arrays.items()], compression)


def _patch_size(data: bytes, file_size: int) -> bytes:
    """The zip (one member) with its uncompressed size replaced in the local header and the central directory."""
    b = bytearray(data)
    struct.pack_into("<I", b, b.find(b"PK\x03\x04") + 22, file_size)
    struct.pack_into("<I", b, b.find(b"PK\x01\x02") + 24, file_size)
    return bytes(b)


def _bomb(path: Path, mib: int = 96) -> None:
    """A genuine zip bomb: ``mib`` MiB of float64 zeros, deflated as they are written (about 100 kB)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("W1.npy", "w", force_zip64=True) as fh:
        fh.write(_header("<f8", (mib * 1024, 128)))
        for _ in range(mib):
            fh.write(bytes(MIB))


def _safetensors(header: object, payload: bytes, *, length: int | None = None) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + payload


def _one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and text, text
    return text


def _cli(argv: list[str]) -> tuple[int, str]:
    """Exit status and stderr of the CLI, without pytest's capture (usable inside hypothesis)."""
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        rc = main(argv)
    return rc, err.getvalue()


def _refused_by_cli(capsys: pytest.CaptureFixture[str], argv: list[str], out: Path | None = None) -> str:
    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2, err
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("logprune: error: "), err
    assert out is None or not out.exists()
    return lines[0]


# ------------------------------------------------------------------------------------------------ targets


def with_(**changes: np.ndarray) -> dict[str, np.ndarray]:
    """The demo target with some arrays replaced."""
    return {**DEMO, **changes}


TARGETS: dict[str, tuple[Callable[[Path], object], str]] = {
    "random bytes": (lambda p: p.write_bytes(np.random.default_rng(0).bytes(300)), "not a readable .npz"),
    "text": (lambda p: p.write_text("W1 = [[1, 2]]\n"), "not a readable .npz"),
    "non-npy member": (lambda p: p.write_bytes(_zip([("W1.npy", _npy(DEMO["W1"])), ("a.txt", b"x")])), "'a.txt'"),
    "pickled object W1": (lambda p: p.write_bytes(_npz(with_(W1=DEMO["W1"].astype(object)))), "dtype object"),
    "complex W1": (lambda p: p.write_bytes(_npz(with_(W1=DEMO["W1"] + 1j))), "'W1' has dtype complex128"),
    "complex b1": (lambda p: p.write_bytes(_npz(with_(b1=DEMO["b1"] + 0.5j))), "'b1' has dtype complex128"),
    "bytes W2": (lambda p: p.write_bytes(_npz(with_(W2=DEMO["W2"].astype("S8")))), "'W2' has dtype |S8"),
    "unicode b3": (lambda p: p.write_bytes(_npz(with_(b3=DEMO["b3"].astype("U16")))), "'b3' has dtype <U16"),
    "object b2": (lambda p: p.write_bytes(_npz(with_(b2=DEMO["b2"].astype(object)))), "'b2' has dtype object"),
    "void W1": (lambda p: p.write_bytes(_npz(with_(W1=np.zeros((16, 2), dtype=[("x", "<f8")])))), "expected real"),
    "datetime W1": (
        lambda p: p.write_bytes(_npz(with_(W1=np.zeros((16, 2), dtype="datetime64[s]")))),
        "datetime64",
    ),
    "W99999999 only": (lambda p: p.write_bytes(_npz({"W99999999": np.ones((2, 2))})), "missing W1 "),
    "W1 and W99999999": (
        lambda p: p.write_bytes(_npz({"W1": DEMO["W1"], "W99999999": np.ones((2, 16))})),
        "missing W2 ",
    ),
    "W01 beside W1": (
        lambda p: p.write_bytes(_npz({**DEMO, "W01": DEMO["W1"]})),
        "array 'W01' is not a layer name (W1..Wl, no leading zeros)",
    ),
    "a weight name of 5000 digits": (
        lambda p: p.write_bytes(_npz({"W1": DEMO["W1"], "W" + "9" * 5000: DEMO["W1"]})),
        "array 'W9999999999999999999...' is not a layer name",
    ),
    "duplicate member": (
        lambda p: p.write_bytes(_zip([("W1.npy", _npy(DEMO["W1"])), ("W1.npy", _npy(DEMO["W1"]))])),
        "twice",
    ),
    "header declares 8 TB": (
        lambda p: p.write_bytes(_zip([("W1.npy", _header("<f8", (10**6, 10**6)) + bytes(16))])),
        f"limit={MAX_BYTES} bytes",
    ),
    "header declares more than the member holds": (
        lambda p: p.write_bytes(_zip([("W1.npy", _header("<f8", (1000, 1000)) + bytes(16))])),
        "holds 16 bytes of data; its header declares 8000000",
    ),
    "zip size disagrees with the header": (
        lambda p: p.write_bytes(_patch_size(_zip([("W1.npy", _npy(DEMO["W1"]))]), 100 * MIB)),
        "its header declares 256",
    ),
    "negative dimension": (
        lambda p: p.write_bytes(_zip([("W1.npy", _header("<f8", (-1, 2)) + bytes(16))])),
        "negative dimension",
    ),
    "bzip2 member": (lambda p: p.write_bytes(_npz(DEMO, zipfile.ZIP_BZIP2)), "compression method 12"),
    "zip bomb": (_bomb, "inflates"),
    "fake bomb: a small deflated member claiming 100 MiB": (
        lambda p: p.write_bytes(
            _patch_size(_zip([("W1.npy", _header("<f8", (100 * MIB // 8,)))], zipfile.ZIP_DEFLATED), 100 * MIB + 128)
        ),
        "inflates",
    ),
}


@pytest.mark.parametrize("case", list(TARGETS))
def test_a_crafted_target_is_refused_in_one_line_and_the_cli_exits_2(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, fragment = TARGETS[case]
    p = tmp_path / "t.npz"
    make(p)
    with pytest.raises(LogpruneError) as info:
        load_target(p)
    assert fragment in _one_line(info.value)
    out = tmp_path / "g.npz"
    line = _refused_by_cli(capsys, ["construct", "--target", str(p), "--eps", "0.1", "--out", str(out)], out)
    assert fragment in line
    assert fragment in _refused_by_cli(capsys, ["bounds", "--target", str(p)])


def test_a_layer_name_far_beyond_the_arrays_is_refused_fast_and_small(tmp_path: Path) -> None:
    """320 bytes holding ``W99999999`` once took 3.9 GiB (a list of the missing names): now microseconds."""
    p = tmp_path / "t.npz"
    p.write_bytes(_npz({"W99999999": np.ones((2, 2))}))
    assert p.stat().st_size < 400
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(ParameterError, match=r"missing W1 \(1 weight array present, to be named W1..W1; found W99"):
        load_target(p)
    seconds = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 1 and peak < 4 * MIB


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    p = tmp_path / "bomb.npz"
    _bomb(p)
    assert p.stat().st_size < MIB
    tracemalloc.start()
    with pytest.raises(ParameterError, match=r"'W1.npy' inflates \d+:1 to 100663424 bytes .*limit=200:1"):
        read_npz(p, "target")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * MIB


def test_a_bomb_inside_a_npy_header_is_not_inflated(tmp_path: Path) -> None:
    """A version 2.0 header may declare 4 GiB; numpy reads it all before checking its size."""
    p = tmp_path / "bomb.npz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("W1.npy", "w", force_zip64=True) as fh:
        fh.write(b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1))
        for _ in range(64):
            fh.write(bytes(MIB))
    tracemalloc.start()
    with pytest.raises(ParameterError, match=r"not a readable .npz file \(.npy header longer than 10012 bytes\)"):
        load_target(p)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 4 * MIB


def test_complex_biases_are_refused_not_truncated() -> None:
    ws = [DEMO["W1"], DEMO["W2"], DEMO["W3"]]
    with pytest.raises(ParameterTypeError, match=r"b1.dtype=complex128: expected real numbers"):
        target_from_arrays(ws, [DEMO["b1"] + 1j, DEMO["b2"], DEMO["b3"]])
    with pytest.raises(ParameterTypeError, match=r"b3.dtype=<U3"):
        target_from_arrays(ws, [None, None, np.array(["1.5", "2", "3"])])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_genuine_target_cut_or_flipped_anywhere_never_ends_in_an_internal_error(
    data: st.DataObject, tmp_path: Path
) -> None:
    base = _npz(DEMO, zipfile.ZIP_DEFLATED)
    p = tmp_path / "t.npz"
    cut = data.draw(st.integers(0, len(base) - 1), label="cut")
    p.write_bytes(base[:cut])
    rc, err = _cli(["bounds", "--target", str(p)])
    assert rc == 2 and err.count("\n") == 1, err  # the central directory is at the end: any cut is refused
    at = data.draw(st.integers(0, len(base) - 1), label="flipped byte")
    b = bytearray(base)
    b[at] ^= data.draw(st.integers(1, 255), label="xor")
    p.write_bytes(bytes(b))
    rc, err = _cli(["bounds", "--target", str(p)])
    assert rc in (0, 2) and (rc == 0 or err.count("\n") == 1), err  # a flip in an unused field is harmless


# ------------------------------------------------------------------------------------------------ round trips

REAL_DTYPES = st.sampled_from(["<f8", ">f8", "<f4", "<f2", "<i8", ">i4", "<u2", "|i1", "|u1", "|b1"])


@settings(max_examples=60, deadline=None)
@given(
    arrays=st.dictionaries(
        st.from_regex(r"[A-Za-z][A-Za-z0-9_.]{0,8}", fullmatch=True),
        REAL_DTYPES.flatmap(lambda dt: hnp.arrays(dt, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0))),
        max_size=4,
    ),
    fortran=st.booleans(),
    compressed=st.booleans(),
)
def test_read_npz_returns_what_numpy_saved(arrays: dict[str, np.ndarray], fortran: bool, compressed: bool) -> None:
    arrays = {k: np.asfortranarray(v) if fortran else v for k, v in arrays.items()}
    buf = io.BytesIO()
    savez = np.savez_compressed if compressed else np.savez
    savez(buf, **arrays)  # type: ignore[arg-type]  # numpy's stubs type **kwds as allow_pickle
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        p = Path(tmp) / "a.npz"
        p.write_bytes(buf.getvalue())
        got = read_npz(p, "x")
        q = Path(tmp) / "a.npy"
        for k, v in arrays.items():
            assert got[k].dtype == v.dtype and got[k].shape == v.shape
            np.testing.assert_array_equal(got[k], v)
            np.save(q, v)
            np.testing.assert_array_equal(read_npy(q, "x"), v)
    assert list(got) == list(arrays)


# ------------------------------------------------------------------------------------------------ inputs

INPUTS: dict[str, tuple[bytes, str]] = {
    "text": (b"0.1 0.2\n0.3 0.4\n", "not a readable .npy file (the magic string is not correct"),
    "empty": (b"", "not a readable .npy file (EOF"),
    "an npz named .npy": (_npz({"x": np.zeros((2, 2))}), "magic string"),
    "huge declared shape, tiny data": (_header("<f8", (30000, 30000)) + bytes(16), "limit="),
    "declares more than it holds": (_header("<f8", (100, 2)) + bytes(16), "holds 16 bytes of data"),
    "trailing bytes": (_npy(np.zeros((4, 2))) + bytes(8), "holds 72 bytes of data; its header declares 64"),
    "truncated header": (_npy(np.zeros((4, 2)))[:30], "not a readable .npy file"),
    "complex": (_npy(np.zeros((4, 2)) + 1j), "dtype complex128; expected real numbers"),
    "object": (_npy(np.array([None, 1.0, 2.0, 3.0], dtype=object)), "dtype object"),
    "string": (_npy(np.array([["1", "2"]])), "dtype <U1"),
    "rows of another width": (_npy(np.zeros((4, 3))), "shape (4, 3); expected rows of the input width 2"),
}


@pytest.mark.parametrize("case", list(INPUTS))
def test_crafted_inputs_are_refused_for_construct_and_bounds(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data, fragment = INPUTS[case]
    x = tmp_path / "x.npy"
    x.write_bytes(data)
    t = tmp_path / "t.npz"
    t.write_bytes(_npz(DEMO))
    target, _ = load_target(t)
    with pytest.raises(LogpruneError) as info:
        load_inputs(x, target)
    assert fragment in _one_line(info.value) and str(info.value).startswith(f"inputs={x}: ")
    out = tmp_path / "g.npz"
    argv = ["construct", "--target", str(t), "--eps", "0.1", "--inputs", str(x), "--out", str(out), "--quiet"]
    assert fragment in _refused_by_cli(capsys, argv, out)
    line = _refused_by_cli(capsys, ["bounds", "--target", str(t), "--data", str(x)])
    assert f"data={x}: " in line and fragment in line


def test_inputs_that_are_not_a_regular_file_are_refused(tmp_path: Path) -> None:
    target, _ = load_target(_write(tmp_path / "t.npz", _npz(DEMO)))
    with pytest.raises(ParameterError, match="not a regular file"):
        load_inputs(tmp_path, target)
    with pytest.raises(ParameterError, match="no such file"):
        load_inputs(tmp_path / "missing.npy", target)


def _write(p: Path, data: bytes) -> Path:
    p.write_bytes(data)
    return p


# ------------------------------------------------------------------------------------------------ Ĝ files


@pytest.fixture(scope="module")
def ghat(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A genuine target and the Ĝ built for it."""
    folder = tmp_path_factory.mktemp("ghat")
    t = _write(folder / "t.npz", _npz(DEMO))
    g = folder / "g.npz"
    assert _cli(["construct", "--target", str(t), "--eps", "0.1", "--out", str(g), "--quiet"])[0] == 0
    return t, g


def _ghat_arrays(g: Path) -> dict[str, np.ndarray]:
    with np.load(g) as z:
        return {k: np.asarray(z[k]) for k in z.files}


GHATS: dict[str, tuple[Callable[[dict[str, np.ndarray]], bytes], str]] = {
    "complex kept weights": (lambda a: _npz({**a, "w1_val": a["w1_val"] + 1j}), "'w1_val' has dtype complex128"),
    "object indices": (lambda a: _npz({**a, "w2_row": a["w2_row"].astype(object)}), "'w2_row' has dtype object"),
    "meta as bytes": (lambda a: _npz({**a, "meta": np.asarray(str(a["meta"]).encode())}), "expected a text scalar"),
    "meta declaring 200 MB": (
        lambda a: _zip(
            [*((f"{k}.npy", _npy(v)) for k, v in a.items() if k != "meta"), ("meta.npy", _header("<U52428800", ()))]
        ),
        "'meta' declares 209715200 bytes",
    ),
    "indices declaring 8 TB": (
        lambda a: _zip(
            [*((f"{k}.npy", _npy(v)) for k, v in a.items() if k != "w1_row"), ("w1_row.npy", _header("<i8", (10**12,)))]
        ),
        "limit=",
    ),
    "truncated": (lambda a: _npz(a)[:-1], "not a readable .npz file"),
}


@pytest.mark.parametrize("case", list(GHATS))
def test_a_crafted_ghat_is_refused_by_verify(
    case: str, ghat: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t, g = ghat
    make, fragment = GHATS[case]
    bad = _write(tmp_path / "bad.npz", make(_ghat_arrays(g)))
    line = _refused_by_cli(capsys, ["verify", str(bad), "--target", str(t)])
    assert f"ghat={bad}: " in line and fragment in line


def test_a_ghat_read_back_verifies(ghat: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    t, g = ghat
    assert main(["verify", str(g), "--target", str(t)]) == 0
    capsys.readouterr()


# ------------------------------------------------------------------------------------------------ checkpoints


ST = save(
    {
        f"fc{i}.{kind}": DEMO[f"{kind[0].upper() if kind == 'weight' else 'b'}{i}"]
        for i in (1, 2, 3)
        for kind in ("weight", "bias")
    }
)
ST_LEN = struct.unpack_from("<Q", ST)[0]
ST_HEADER = json.loads(ST[8 : 8 + ST_LEN])
ST_PAYLOAD = ST[8 + ST_LEN :]


def _st_with(name: str, **entry: object) -> bytes:
    return _safetensors({**ST_HEADER, name: {**ST_HEADER[name], **entry}}, ST_PAYLOAD)


SAFETENSORS: dict[str, tuple[bytes, str]] = {
    "truncated in the length": (ST[:5], "less than its 8-byte header"),
    "truncated in the header": (ST[:60], f"header of {ST_LEN} bytes beyond the file's 60"),
    "truncated in the data": (ST[:-1], "of the file's"),
    "header length beyond the file": (_safetensors(ST_HEADER, ST_PAYLOAD, length=10**6), "beyond the file"),
    "header length 2^63": (_safetensors(ST_HEADER, ST_PAYLOAD, length=2**63), "limit="),
    "complex dtype": (_st_with("fc1.weight", dtype="C64"), "'fc1.weight' has dtype C64; expected real numbers"),
    "unknown dtype": (_st_with("fc2.bias", dtype="Q7"), "'fc2.bias' has dtype Q7"),
    "shape beyond its bytes": (_st_with("fc1.weight", shape=[1000, 1000]), "declares 8000000 bytes"),
    "not JSON": (struct.pack("<Q", 8) + b"{garbage" + ST_PAYLOAD, "not a readable .safetensors"),
}


@pytest.mark.parametrize("case", list(SAFETENSORS))
def test_a_crafted_safetensors_target_is_refused(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, fragment = SAFETENSORS[case]
    p = _write(tmp_path / "t.safetensors", data)
    with pytest.raises(LogpruneError) as info:
        load_target(p)
    assert fragment in _one_line(info.value)
    assert fragment in _refused_by_cli(capsys, ["bounds", "--target", str(p)])


def test_the_genuine_safetensors_target_is_the_npz_target(tmp_path: Path) -> None:
    a, _ = load_target(_write(tmp_path / "t.safetensors", ST))
    b, _ = load_target(_write(tmp_path / "t.npz", _npz(DEMO)))
    assert a.digest == b.digest


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, len(ST) - 1))
def test_a_safetensors_cut_anywhere_is_refused(cut: int, tmp_path: Path) -> None:
    p = _write(tmp_path / "t.safetensors", ST[:cut])
    rc, err = _cli(["bounds", "--target", str(p)])
    assert rc == 2 and err.count("\n") == 1, err


def test_torch_tensors_numpy_cannot_hold_exactly_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    torch = pytest.importorskip("torch")
    sd = {f"fc{i}.weight": torch.from_numpy(DEMO[f"W{i}"].copy()) for i in (1, 2, 3)}
    for dtype, shown in ((torch.complex128, "torch.complex128"), (torch.float8_e4m3fn, "torch.float8_e4m3fn")):
        p = tmp_path / f"{shown}.pt"
        torch.save({**sd, "fc2.weight": sd["fc2.weight"].to(dtype)}, p)
        line = _refused_by_cli(capsys, ["bounds", "--target", str(p)])
        assert f"key='fc2.weight' has dtype {shown}; expected real numbers" in line
    p = tmp_path / "flipped.pt"
    torch.save(sd, p)
    b = bytearray(p.read_bytes())
    with zipfile.ZipFile(p) as zf:
        at = next(i for i in zf.infolist() if i.filename.endswith("data/1")).header_offset
    name_len, extra_len = struct.unpack_from("<HH", b, at + 26)
    b[at + 30 + name_len + extra_len + 3] ^= 0x40  # a byte of a weight: torch's reader does not check CRCs
    p.write_bytes(bytes(b))
    assert "Bad CRC-32" in _refused_by_cli(capsys, ["bounds", "--target", str(p)])
