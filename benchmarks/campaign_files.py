"""Campaign: every file logprune reads, crafted to break it (issue #13, "Files in").

Writes crafted files into a temporary folder -- targets (``.npz``, ``.pt``, ``.safetensors``), inputs
(``.npy`` for ``construct --inputs`` and ``bounds --data``) and Ĝ files (``.npz``, ``.safetensors`` for
``verify``): truncations, flipped bytes, random bytes, text, non-``.npy`` members, pickled objects,
complex/string/object/void/datetime dtypes, layer names far beyond the arrays present, zip bombs, headers
that declare more than the file holds, safetensors headers that lie -- plus a few genuine files as
controls.  Each run is the CLI's ``main`` in a child forked from this process (so a hang or a blow-up
is killed without taking the campaign down), with a time limit and a memory cap.

It counts exit statuses (0 ok, 1 negative result, 2 refused, 3 internal error), runs past 60 s, runs
killed (time or memory), stderr messages longer than one line, outputs written by a refused run, and the
peak memory each run added to the forked process (``ru_maxrss`` after minus before).  The aim: no exit 3,
no run past 60 s, every refusal one line.

    python benchmarks/campaign_files.py [--json benchmarks/campaign_files.json] [--timeout 120]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import signal
import struct
import sys
import tempfile
import time
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from logprune.cli import main as cli_main

SLOW_SECONDS = 60.0
MIB = 1 << 20


# --------------------------------------------------------------------------------------------- crafting


def npy_bytes(a: np.ndarray, *, allow_pickle: bool = False) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=allow_pickle)
    return buf.getvalue()


def npy_header(descr: str, shape: tuple[int, ...], *, fortran: bool = False) -> bytes:
    """A version 1.0 .npy header declaring ``descr`` and ``shape``, with no data after it."""
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(buf, {"descr": descr, "fortran_order": fortran, "shape": shape})
    return buf.getvalue()


def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names are on purpose
        with zipfile.ZipFile(buf, "w", compression) as zf:
            for name, data in members:
                zf.writestr(name, data)
    return buf.getvalue()


def npz_bytes(arrays: dict[str, np.ndarray], *, compressed: bool = False) -> bytes:
    members = [(f"{k}.npy", npy_bytes(v, allow_pickle=v.dtype == object)) for k, v in arrays.items()]
    return zip_bytes(members, zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED)


def streamed_member(path: Path, name: str, header: bytes, chunk: bytes, repeats: int, compression: int) -> None:
    """A zip whose one member is ``header`` then ``chunk`` × ``repeats``, compressed as it is written."""
    with zipfile.ZipFile(path, "w", compression) as zf, zf.open(name, "w", force_zip64=True) as fh:
        fh.write(header)
        for _ in range(repeats):
            fh.write(chunk)


def patch_sizes(data: bytes, name: str, file_size: int) -> bytes:
    """The zip with the uncompressed size of member ``name`` replaced, in its local header and in the
    central directory (a member whose zip records disagree with its .npy header)."""
    b = bytearray(data)
    enc = name.encode()
    i = b.find(b"PK\x03\x04")
    while i >= 0:
        n = struct.unpack_from("<H", b, i + 26)[0]
        if bytes(b[i + 30 : i + 30 + n]) == enc:
            struct.pack_into("<I", b, i + 22, file_size)
        i = b.find(b"PK\x03\x04", i + 4)
    j = b.find(b"PK\x01\x02")
    while j >= 0:
        n = struct.unpack_from("<H", b, j + 28)[0]
        if bytes(b[j + 46 : j + 46 + n]) == enc:
            struct.pack_into("<I", b, j + 24, file_size)
        j = b.find(b"PK\x01\x02", j + 4)
    return bytes(b)


def set_encrypted_flag(data: bytes) -> bytes:
    b = bytearray(data)
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = b.find(sig)
        while i >= 0:
            struct.pack_into("<H", b, i + off, struct.unpack_from("<H", b, i + off)[0] | 1)
            i = b.find(sig, i + 4)
    return bytes(b)


def flip(data: bytes, offset: int) -> bytes:
    b = bytearray(data)
    b[offset % len(b)] ^= 0xFF
    return bytes(b)


def safetensors_bytes(header: Any, payload: bytes, *, length: int | None = None) -> bytes:
    text = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(text) if length is None else length) + text + payload


def st_entry(dtype: str, shape: list[int], begin: int, end: int) -> dict[str, Any]:
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


@dataclass
class Genuine:
    """The genuine files the crafted ones start from."""

    arrays: dict[str, np.ndarray]  # the demo target's W1..W3, b1..b3
    target_npz: Path
    target_st: Path
    target_pt: Path | None
    ghat_npz: Path
    ghat_st: Path
    inputs: Path


def state_dict(arrays: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {}
    for i in (1, 2, 3):
        out[f"fc{i}.weight"] = arrays[f"W{i}"]
        out[f"fc{i}.bias"] = arrays[f"b{i}"]
    return out


def quiet_main(argv: list[str]) -> int:
    """The CLI with stdout and stderr discarded (for building the genuine files)."""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = io.StringIO()
    try:
        return cli_main(argv)
    finally:
        sys.stdout, sys.stderr = saved


def genuine(folder: Path) -> Genuine:
    from importlib.resources import as_file, files

    from safetensors.numpy import save_file

    with as_file(files("logprune") / "data" / "demo_target.npz") as p, np.load(p) as z:
        arrays = {k: np.asarray(z[k]) for k in z.files}
    target_npz = folder / "genuine_target.npz"
    target_npz.write_bytes(npz_bytes(arrays, compressed=True))
    target_st = folder / "genuine_target.safetensors"
    save_file({k: np.ascontiguousarray(v) for k, v in state_dict(arrays).items()}, str(target_st))
    target_pt: Path | None = None
    try:
        import torch

        target_pt = folder / "genuine_target.pt"
        torch.save({k: torch.from_numpy(v.copy()) for k, v in state_dict(arrays).items()}, target_pt)
    except ImportError:
        pass
    ghat_npz, ghat_st = folder / "genuine_ghat.npz", folder / "genuine_ghat.safetensors"
    for out in (ghat_npz, ghat_st):
        code = quiet_main(["construct", "--target", str(target_npz), "--eps", "0.1", "--out", str(out), "--quiet"])
        assert code == 0 and out.is_file(), f"the genuine Ĝ {out.name} could not be built"
    inputs = folder / "genuine_inputs.npy"
    np.save(inputs, np.random.default_rng(0).uniform(-0.5, 0.5, (8, 2)))
    return Genuine(arrays, target_npz, target_st, target_pt, ghat_npz, ghat_st, inputs)


Maker = Callable[[Path], object]


def write(data: bytes) -> Maker:
    return lambda p: p.write_bytes(data)


def target_npz_cases(g: Genuine, folder: Path) -> dict[str, Maker]:
    base = g.target_npz.read_bytes()
    a = g.arrays
    n = len(base)

    def with_(**changes: np.ndarray) -> dict[str, np.ndarray]:
        return {**a, **changes}

    cases: dict[str, Maker] = {"valid": write(base)}
    for cut in (0, 1, 4, 30, 100, 1000, n // 2, n - 23, n - 1):
        cases[f"truncated_at_{cut}"] = write(base[:cut])
    for off in (8, 40, 120, 600, n // 2, n - 60, n - 40, n - 12):
        cases[f"flipped_at_{off}"] = write(flip(base, off))
    rng = np.random.default_rng(1)
    cases["random_16"] = write(rng.bytes(16))
    cases["random_4096"] = write(rng.bytes(4096))
    cases["text"] = write(b"W1 = [[1, 2], [3, 4]]\n")
    cases["empty_zip"] = write(zip_bytes([]))
    cases["non_npy_member"] = write(zip_bytes([("W1.npy", npy_bytes(a["W1"])), ("README.txt", b"hello")]))
    cases["member_without_suffix"] = write(zip_bytes([("W1", npy_bytes(a["W1"]))]))
    cases["pickled_object_W1"] = write(npz_bytes(with_(W1=np.array([[object()]] * 16, dtype=object))))
    cases["object_b1"] = write(npz_bytes(with_(b1=a["b1"].astype(object))))
    cases["complex_W1"] = write(npz_bytes(with_(W1=a["W1"] + 1j)))
    cases["complex_b1"] = write(npz_bytes(with_(b1=a["b1"] + 0.5j)))
    cases["complex64_W2"] = write(npz_bytes(with_(W2=a["W2"].astype(np.complex64))))
    cases["bytes_W1"] = write(npz_bytes(with_(W1=a["W1"].astype("S8"))))
    cases["unicode_W1"] = write(npz_bytes(with_(W1=a["W1"].astype("U8"))))
    cases["unicode_b3"] = write(npz_bytes(with_(b3=a["b3"].astype("U32"))))
    cases["void_W1"] = write(npz_bytes(with_(W1=np.zeros((16, 2), dtype=[("x", "<f8")]))))
    cases["datetime_W1"] = write(npz_bytes(with_(W1=np.zeros((16, 2), dtype="datetime64[s]"))))
    cases["bool_W1"] = write(npz_bytes(with_(W1=a["W1"] > 0)))
    cases["int_beyond_2_53"] = write(npz_bytes(with_(W1=np.full((16, 2), 2**60, dtype=np.int64))))
    cases["nan_W2"] = write(npz_bytes(with_(W2=np.full((16, 16), np.nan))))
    cases["bias_wrong_shape"] = write(npz_bytes(with_(b2=np.zeros(3))))
    cases["fortran_order"] = write(npz_bytes(with_(W2=np.asfortranarray(a["W2"]))))
    cases["big_endian"] = write(npz_bytes(with_(W1=a["W1"].astype(">f8"))))
    cases["W99999999_only"] = write(npz_bytes({"W99999999": np.ones((2, 2))}))
    cases["W1_and_W99999999"] = write(npz_bytes({"W1": a["W1"], "W99999999": np.ones((2, 16))}))
    cases["W1_and_W3_gap"] = write(npz_bytes({"W1": a["W1"], "W3": a["W3"]}))
    cases["W0_only"] = write(npz_bytes({"W0": a["W1"]}))
    cases["W01_leading_zero"] = write(npz_bytes({"W01": a["W1"]}))
    cases["W_superscript_digit"] = write(npz_bytes({"W\u00b2": a["W1"], "W1": a["W1"]}))
    cases["duplicate_member"] = write(zip_bytes([("W1.npy", npy_bytes(a["W1"])), ("W1.npy", npy_bytes(a["W1"] + 1j))]))
    cases["declares_8TB_holds_16B"] = write(zip_bytes([("W1.npy", npy_header("<f8", (10**6, 10**6)) + b"\0" * 16)]))
    cases["declares_3GB_holds_16B"] = write(zip_bytes([("W1.npy", npy_header("<f8", (20000, 20000)) + b"\0" * 16)]))
    cases["negative_shape"] = write(zip_bytes([("W1.npy", npy_header("<f8", (-1, 2)) + b"\0" * 16)]))
    w1 = npy_bytes(a["W1"])
    cases["zip_size_larger_than_npy"] = write(patch_sizes(zip_bytes([("W1.npy", w1)]), "W1.npy", 200 * MIB))
    cases["zip_size_smaller_than_npy"] = write(patch_sizes(zip_bytes([("W1.npy", w1)]), "W1.npy", 100))
    cases["encrypted_flag"] = write(set_encrypted_flag(npz_bytes(a)))
    bad_header = npy_header("<f8", (16, 2)).replace(b"(16, 2)", b"(16,'x')")
    cases["bad_header_dict"] = write(zip_bytes([("W1.npy", bad_header + b"\0" * 256)]))
    cases["npy_version_9"] = write(zip_bytes([("W1.npy", b"\x93NUMPY\x09\x00" + w1[8:])]))
    cases["header_length_4GB"] = write(zip_bytes([("W1.npy", b"\x93NUMPY\x02\x00\xff\xff\xff\xff" + b" " * 64)]))
    cases["many_members"] = write(npz_bytes({**a, **{f"x{i}": np.zeros(1) for i in range(3000)}}))
    cases["state_dict_npz_complex"] = write(
        npz_bytes({k: (v + 1j if k == "fc1.weight" else v) for k, v in state_dict(a).items()})
    )

    zeros = b"\0" * MIB
    cases["bomb_f8_200MB_deflate"] = lambda p: streamed_member(
        p, "W1.npy", npy_header("<f8", (200 * MIB // 8 // 1024, 1024)), zeros, 200, zipfile.ZIP_DEFLATED
    )
    cases["bomb_i8_200MB_deflate"] = lambda p: streamed_member(
        p, "W1.npy", npy_header("<i8", (200 * MIB // 8 // 1024, 1024)), zeros, 200, zipfile.ZIP_DEFLATED
    )
    cases["bomb_f8_100MB_bzip2"] = lambda p: streamed_member(
        p, "W1.npy", npy_header("<f8", (100 * MIB // 8 // 1024, 1024)), zeros, 100, zipfile.ZIP_BZIP2
    )
    cases["bomb_in_a_4GB_npy_header"] = lambda p: streamed_member(
        p, "W1.npy", b"\x93NUMPY\x02\x00" + struct.pack("<I", 2**32 - 1), zeros, 1024, zipfile.ZIP_DEFLATED
    )
    cases["bomb_square_W1_100MB"] = lambda p: streamed_member(
        p, "W1.npy", npy_header("<f8", (3620, 3620)), b"\0" * (3620 * 8), 3620, zipfile.ZIP_DEFLATED
    )
    return cases


def safetensors_cases(g: Genuine) -> dict[str, Maker]:
    base = g.target_st.read_bytes()
    n = len(base)
    hlen = struct.unpack_from("<Q", base)[0]
    header = json.loads(base[8 : 8 + hlen])
    payload = base[8 + hlen :]
    first = next(k for k in header if k != "__metadata__")
    cases: dict[str, Maker] = {"valid": write(base)}
    for cut in (0, 4, 8, 50, n // 2, n - 1):
        cases[f"truncated_at_{cut}"] = write(base[:cut])
    cases["random_bytes"] = write(np.random.default_rng(2).bytes(512))
    cases["header_length_beyond_file"] = write(safetensors_bytes(header, payload, length=n + 100))
    cases["header_length_2_63"] = write(safetensors_bytes(header, payload, length=2**63))
    cases["header_not_json"] = write(safetensors_bytes(b"{not json" + b" " * 40, payload))
    cases["header_a_list"] = write(safetensors_bytes([1, 2, 3], payload))
    for dtype in ("C64", "X9", "BOOL", "F8_E4M3", "U64"):
        h = {**header, first: {**header[first], "dtype": dtype}}
        cases[f"dtype_{dtype}"] = write(safetensors_bytes(h, payload))
    b, e = header[first]["data_offsets"]
    cases["shape_beyond_offsets"] = write(
        safetensors_bytes({**header, first: st_entry("F64", [100000, 100000], b, e)}, payload)
    )
    cases["offsets_beyond_file"] = write(
        safetensors_bytes({**header, first: st_entry("F64", [10**8, 2], b, b + 16 * 10**8)}, payload)
    )
    cases["negative_shape"] = write(safetensors_bytes({**header, first: st_entry("F64", [-16, -2], b, e)}, payload))
    cases["complex_declared_consistent"] = write(safetensors_bytes({first: st_entry("C64", [2, 2], 0, 32)}, b"\0" * 32))
    return cases


def torch_cases(g: Genuine, folder: Path) -> dict[str, Maker]:
    if g.target_pt is None:
        return {}
    import torch

    base = g.target_pt.read_bytes()
    n = len(base)
    sd = {k: torch.from_numpy(v.copy()) for k, v in state_dict(g.arrays).items()}

    def saved(obj: Any, **kw: Any) -> Maker:
        def make(p: Path) -> None:
            torch.save(obj, p, **kw)

        return make

    cases: dict[str, Maker] = {"valid": write(base)}
    for cut in (0, 10, 100, n // 2, n - 1):
        cases[f"truncated_at_{cut}"] = write(base[:cut])
    cases["flipped_middle"] = write(flip(base, n // 2))
    cases["random_bytes"] = write(np.random.default_rng(3).bytes(1024))
    cases["complex_weight"] = saved({**sd, "fc1.weight": sd["fc1.weight"].to(torch.complex128)})
    cases["float8_weight"] = saved({**sd, "fc1.weight": sd["fc1.weight"].to(torch.float8_e4m3fn)})
    cases["quantized_weight"] = saved(
        {**sd, "fc1.weight": torch.quantize_per_tensor(sd["fc1.weight"].float(), 0.1, 0, torch.qint8)}
    )
    cases["uint16_weight"] = saved({**sd, "fc1.weight": sd["fc1.weight"].to(torch.int64).to(torch.uint16)})
    cases["sparse_weight"] = saved({**sd, "fc1.weight": sd["fc1.weight"].to_sparse()})
    cases["int_not_tensor"] = saved({**sd, "fc1.weight": 3})
    cases["string_not_tensor"] = saved({**sd, "fc1.weight": "abc"})
    cases["legacy_format"] = saved(sd, _use_new_zipfile_serialization=False)
    cases["nested_state_dict"] = saved({"model_state_dict": sd, "epoch": 3})

    def bomb(p: Path) -> None:
        plain = folder / "_plain.pt"
        torch.save({"fc1.weight": torch.zeros(5000, 5000), "fc1.bias": torch.zeros(5000)}, plain)
        with zipfile.ZipFile(plain) as src, zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
            for info in src.infolist():
                with src.open(info) as fin, dst.open(info.filename, "w", force_zip64=True) as fout:
                    while chunk := fin.read(MIB):
                        fout.write(chunk)
        plain.unlink()

    cases["bomb_deflated_storage_100MB"] = bomb
    return cases


def inputs_cases(g: Genuine) -> dict[str, Maker]:
    base = g.inputs.read_bytes()
    x = np.load(g.inputs)
    cases: dict[str, Maker] = {"valid": write(base)}
    cases["text"] = write(b"0.1 0.2\n0.3 0.4\n")
    cases["empty"] = write(b"")
    cases["random_bytes"] = write(np.random.default_rng(4).bytes(300))
    cases["truncated_in_header"] = write(base[:40])
    cases["truncated_in_data"] = write(base[: len(base) - 7])
    cases["declares_8TB_holds_16B"] = write(npy_header("<f8", (10**6, 10**6)) + b"\0" * 16)
    cases["declares_7GB_holds_16B"] = write(npy_header("<f8", (30000, 30000)) + b"\0" * 16)
    cases["trailing_bytes"] = write(base + b"\0" * 64)
    cases["pickled_object"] = write(npy_bytes(np.array([object()] * 4, dtype=object), allow_pickle=True))
    cases["complex"] = write(npy_bytes(x + 1j))
    cases["bytes"] = write(npy_bytes(x.astype("S8")))
    cases["unicode"] = write(npy_bytes(x.astype("U8")))
    cases["void"] = write(npy_bytes(np.zeros(4, dtype=[("a", "<f8"), ("b", "<f8")])))
    cases["an_npz_named_npy"] = write(npz_bytes({"x": x}))
    cases["nan"] = write(npy_bytes(np.full((3, 2), np.nan)))
    cases["wrong_width"] = write(npy_bytes(np.zeros((4, 3))))
    cases["bool"] = write(npy_bytes(x > 0))
    cases["header_length_4GB"] = write(b"\x93NUMPY\x02\x00\xff\xff\xff\xff" + b" " * 64)
    cases["fortran_order"] = write(npy_bytes(np.asfortranarray(x)))
    return cases


def ghat_npz_cases(g: Genuine) -> dict[str, Maker]:
    base = g.ghat_npz.read_bytes()
    n = len(base)
    with np.load(g.ghat_npz) as z:
        arrays = {k: np.asarray(z[k]) for k in z.files}

    def with_(**changes: np.ndarray) -> bytes:
        return npz_bytes({**arrays, **changes}, compressed=True)

    cases: dict[str, Maker] = {"valid": write(base)}
    for cut in (0, 100, n // 3, n // 2, n - 1):
        cases[f"truncated_at_{cut}"] = write(base[:cut])
    for off in (50, n // 2, n - 30):
        cases[f"flipped_at_{off}"] = write(flip(base, off))
    cases["random_bytes"] = write(np.random.default_rng(5).bytes(2048))
    cases["meta_as_bytes"] = write(with_(meta=np.asarray(str(arrays["meta"]).encode())))
    cases["meta_pickled_object"] = write(with_(meta=np.asarray({"format": "x"}, dtype=object)))
    cases["meta_unicode_array_not_scalar"] = write(with_(meta=np.asarray([str(arrays["meta"])] * 3)))
    cases["val_complex"] = write(with_(w1_val=arrays["w1_val"] + 1j))
    cases["row_float"] = write(with_(w1_row=arrays["w1_row"].astype(np.float64)))
    cases["row_object"] = write(with_(w1_row=arrays["w1_row"].astype(object)))
    cases["layers_10_12"] = write(with_(layers=np.asarray(10**12, dtype=np.int64)))
    members = [(f"{k}.npy", npy_bytes(v)) for k, v in arrays.items() if k != "w1_row"]
    members.append(("w1_row.npy", npy_header("<i8", (10**7, 10**5)) + b"\0" * 64))
    cases["row_declares_8TB"] = write(zip_bytes(members))
    return cases


def ghat_bomb(g: Genuine) -> Maker:
    """Ĝ with a 200 MB meta string of zeros (a unicode bomb in the one text array)."""

    def make(p: Path) -> None:
        with np.load(g.ghat_npz) as z:
            arrays = {k: np.asarray(z[k]) for k in z.files if k != "meta"}
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
            for k, v in arrays.items():
                zf.writestr(f"{k}.npy", npy_bytes(v))
            with zf.open("meta.npy", "w", force_zip64=True) as fh:
                fh.write(npy_header(f"<U{50 * MIB}", ()))
                for _ in range(200):
                    fh.write(b"\0" * MIB)

    return make


def ghat_st_cases(g: Genuine) -> dict[str, Maker]:
    base = g.ghat_st.read_bytes()
    n = len(base)
    hlen = struct.unpack_from("<Q", base)[0]
    header = json.loads(base[8 : 8 + hlen])
    payload = base[8 + hlen :]
    cases: dict[str, Maker] = {"valid": write(base)}
    for cut in (0, 8, n // 2, n - 1):
        cases[f"truncated_at_{cut}"] = write(base[:cut])
    cases["header_length_beyond_file"] = write(safetensors_bytes(header, payload, length=n))
    b, e = header["w1_val"]["data_offsets"]
    cases["val_complex_dtype"] = write(
        safetensors_bytes({**header, "w1_val": {**header["w1_val"], "dtype": "C64"}}, payload)
    )
    cases["val_shape_declares_8TB"] = write(
        safetensors_bytes({**header, "w1_val": st_entry("F64", [10**12], b, e)}, payload)
    )
    cases["no_meta"] = write(safetensors_bytes({k: v for k, v in header.items() if k != "__metadata__"}, payload))
    return cases


# --------------------------------------------------------------------------------------------- running


@dataclass
class Run:
    case: str
    argv: list[str]
    status: int | str  # exit status, or "timeout" / "memory" / "signal N" / "raised"
    seconds: float
    peak_mib: float  # memory the run added to the forked process
    stderr_lines: int
    stderr: str
    wrote_output: bool


def rss_mib(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run_forked(case: str, argv: list[str], folder: Path, *, timeout: float, memory_mib: float) -> Run:
    """``main(argv)`` in a forked child: killed past ``timeout`` seconds or ``memory_mib`` of RSS."""
    err_path = folder / "_stderr.txt"
    out_path = argv[argv.index("--out") + 1] if "--out" in argv else None
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: run, report through the pipe, never return
        os.close(r)
        status: int | str = "raised"
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.dup2(os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), 2)
            status = cli_main(argv)
        except BaseException as exc:  # a campaign records whatever escapes main
            status = f"raised {type(exc).__name__}"
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            os.write(w, json.dumps({"status": status, "peak_kib": peak - base}).encode())
            os._exit(0)
    os.close(w)
    t0 = time.perf_counter()
    killed: str | None = None
    max_rss = 0.0
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        max_rss = max(max_rss, rss_mib(pid))
        elapsed = time.perf_counter() - t0
        if elapsed > timeout or max_rss > memory_mib:
            killed = "timeout" if elapsed > timeout else "memory"
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            break
        time.sleep(0.01)
    seconds = time.perf_counter() - t0
    with os.fdopen(r, "rb") as fh:
        report = fh.read()
    stderr = err_path.read_text(errors="replace") if err_path.exists() else ""
    stderr = stderr.replace(str(folder), "<tmp>")  # the figures do not depend on where the campaign ran
    wrote = out_path is not None and Path(out_path).exists()
    if out_path is not None and Path(out_path).exists():
        Path(out_path).unlink()
    if killed is not None or not report:
        return Run(case, argv, killed or "died", seconds, max_rss, len(stderr.splitlines()), stderr[:300], wrote)
    doc = json.loads(report)
    return Run(
        case, argv, doc["status"], seconds, doc["peak_kib"] / 1024, len(stderr.splitlines()), stderr[:300], wrote
    )


def campaign(folder: Path, *, timeout: float, memory_mib: float, verbose: bool) -> tuple[list[Run], int]:
    g = genuine(folder)
    crafted = folder / "crafted"
    crafted.mkdir()
    files: list[tuple[str, str, Path]] = []  # (family, case, path)

    def add(family: str, suffix: str, cases: dict[str, Maker]) -> None:
        for name, make in cases.items():
            p = crafted / f"{family}__{name}{suffix}"
            make(p)
            files.append((family, name, p))

    add("target_npz", ".npz", target_npz_cases(g, folder))
    add("target_safetensors", ".safetensors", safetensors_cases(g))
    add("target_pt", ".pt", torch_cases(g, folder))
    add("inputs", ".npy", inputs_cases(g))
    add("ghat_npz", ".npz", {**ghat_npz_cases(g), "meta_bomb_200MB": ghat_bomb(g)})
    add("ghat_safetensors", ".safetensors", ghat_st_cases(g))
    out = str(folder / "out_ghat.npz")
    runs: list[Run] = []
    for family, name, p in files:
        if family.startswith("target"):
            argvs = [
                ["construct", "--target", str(p), "--eps", "0.1", "--out", out, "--quiet", "--workers", "1"],
                ["bounds", "--target", str(p)],
            ]
        elif family == "inputs":
            t = str(g.target_npz)
            argvs = [
                ["construct", "--target", t, "--eps", "0.1", "--inputs", str(p), "--out", out, "--quiet"],
                ["bounds", "--target", t, "--data", str(p)],
            ]
        else:
            argvs = [["verify", str(p), "--target", str(g.target_npz)]]
        for argv in argvs:
            run = run_forked(f"{family}/{name}", argv, folder, timeout=timeout, memory_mib=memory_mib)
            runs.append(run)
            if verbose:
                first = run.stderr.strip().splitlines()[0][:110] if run.stderr.strip() else ""
                print(f"{run.status!s:>8} {run.seconds:6.2f}s {run.peak_mib:8.1f}MiB {run.case} {argv[0]}: {first}")
    return runs, len(files)


def summary(runs: list[Run], n_files: int) -> dict[str, Any]:
    statuses = Counter(str(r.status) for r in runs)
    refused = [r for r in runs if r.status == 2]
    worst = max(runs, key=lambda r: r.peak_mib)
    slowest = max(runs, key=lambda r: r.seconds)
    return {
        "files": n_files,
        "runs": len(runs),
        "exit_status": dict(sorted(statuses.items())),
        "exit_3": [f"{r.case} ({r.argv[0]}): {r.stderr.strip()[:200]}" for r in runs if r.status == 3],
        "killed_or_died": [f"{r.case} ({r.argv[0]}): {r.status}" for r in runs if isinstance(r.status, str)],
        "runs_past_60s": sum(r.seconds > SLOW_SECONDS for r in runs),
        "refusals_not_one_line": [r.case for r in refused if r.stderr_lines != 1],
        "refused_but_wrote_output": [r.case for r in runs if r.status != 0 and r.wrote_output],
        "slowest": {"case": f"{slowest.case} ({slowest.argv[0]})", "seconds": round(slowest.seconds, 3)},
        "peak_memory_added_mib": {"case": f"{worst.case} ({worst.argv[0]})", "mib": round(worst.peak_mib, 1)},
        "total_seconds": round(sum(r.seconds for r in runs), 1),
        "baseline_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "runs_detail": [
            {
                "case": r.case,
                "command": r.argv[0],
                "status": r.status,
                "seconds": round(r.seconds, 3),
                "peak_mib": round(r.peak_mib, 1),
                "stderr": r.stderr.strip().splitlines()[0][:240] if r.stderr.strip() else "",
            }
            for r in runs
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--json", default=str(Path(__file__).with_suffix(".json")), help="where to write the figures")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds before a run is killed (default 120)")
    ap.add_argument("--memory-mib", type=float, default=4096.0, help="RSS at which a run is killed (default 4096)")
    ap.add_argument("--quiet", action="store_true", help="no line per run")
    ns = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="logprune_campaign_") as tmp:
        runs, n_files = campaign(Path(tmp), timeout=ns.timeout, memory_mib=ns.memory_mib, verbose=not ns.quiet)
    doc = summary(runs, n_files)
    Path(ns.json).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    short = {k: v for k, v in doc.items() if k != "runs_detail"}
    print(json.dumps(short, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
