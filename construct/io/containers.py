"""Reading array containers without trusting them: what a file declares is checked before its data is read.

Every file logprune reads comes from the user and may be truncated, corrupt, or crafted.  numpy's own
readers trust the file: ``np.load`` allocates whatever shape a ``.npy`` header declares, inflates a zip
member whatever its size, and lets any name through.  Here each container is read in two passes:

1. the declarations only -- for a ``.npz``, every member's zip record and ``.npy`` header (``read_magic``
   and ``read_array_header_1_0``/``_2_0``, which parse a bounded header without evaluating code); for a
   ``.npy``, its header; for a ``.safetensors``, its JSON header; for a zip checkpoint (``.pt``), its
   member records -- and every refusal happens there, before any large allocation:

   - not a zip, a bad CRC, a truncated file, an encrypted member, a compression other than stored or
     deflated (what numpy and torch write): refused in one line;
   - a member that is not a ``.npy`` array (another name, a directory, a duplicate name);
   - a dtype that is not real numbers: only booleans, integers and floats are read (complex, bytes,
     unicode, object (pickled), void/structured and datetime dtypes are refused), except the names in
     ``text``, which must be unicode scalars of at most :data:`MAX_TEXT_BYTES` (Ĝ's ``meta``);
   - a declared size (shape × itemsize) that the container does not hold: a zip member's recorded size
     must be its header plus exactly the declared data, a ``.npy`` file's size likewise, a safetensors
     tensor's byte range must match its shape and lie in the file;
   - the declared sizes together beyond ``limit`` (:data:`MAX_BYTES` by default), stated as ``limit=...``;
   - a compressed member that inflates more than :data:`MAX_RATIO` to 1 to more than
     :data:`RATIO_FLOOR` bytes (a zip bomb: a megabyte that declares a gigabyte of zeros).  No weight or
     data array compresses like that; a genuine one can be saved uncompressed (``np.savez``).

2. the data, into one array per member of exactly the declared size, read in chunks (no second copy),
   the zip CRC checked at the end of each member; a member that ends early or runs on is refused.

Errors are :class:`~logprune.errors.ParameterError` (:class:`~logprune.errors.ParameterTypeError` for a
dtype), one line, ``param=path: ...``.  Any exception of the zip, zlib/bz2/lzma or numpy header readers
is the file's fault by construction, so it becomes such a line too, never an internal error.
"""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import numpy as np

from logprune.errors import LogpruneError, ParameterError, ParameterTypeError

__all__ = [
    "MAX_BYTES",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_SAFETENSORS_HEADER",
    "MAX_TEXT_BYTES",
    "RATIO_FLOOR",
    "SAFETENSORS_DTYPES",
    "check_safetensors",
    "check_zip_members",
    "read_npy",
    "read_npz",
]

GIB = 1 << 30
MIB = 1 << 20
MAX_BYTES = 2 * GIB  # declared data of one file, all arrays together
MAX_RATIO = 200  # inflated / compressed size of one zip member ...
RATIO_FLOOR = 64 * MIB  # ... checked for members inflating beyond this
MAX_TEXT_BYTES = 32 * MIB  # a unicode scalar (Ĝ's meta), 4 bytes per character
MAX_MEMBERS = 100_000  # zip members of one file
MAX_SAFETENSORS_HEADER = 32 * MIB  # the JSON header of a .safetensors file
MAX_NPY_HEADER = 10_000  # numpy's own bound of a .npy header (read_array_header_*: max_header_size)
_CHUNK = 16 * MIB  # data is read in pieces of this size (one piece at a time is copied, never the whole array)
_REAL_KINDS = "biuf"  # bool, signed and unsigned integers, floats
# the compressions numpy (savez, savez_compressed) and torch write; zipfile's bzip2 and lzma readers inflate
# a whole compressed chunk at once (a small read can expand to hundreds of megabytes), so they are refused
_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
_T = TypeVar("_T")

# safetensors dtypes that are real numbers, and their sizes; everything else (C64, F8_*, ...) is refused
SAFETENSORS_DTYPES = {
    "BOOL": 1,
    "U8": 1,
    "I8": 1,
    "U16": 2,
    "I16": 2,
    "F16": 2,
    "BF16": 2,
    "U32": 4,
    "I32": 4,
    "F32": 4,
    "U64": 8,
    "I64": 8,
    "F64": 8,
}


def _size(n: int) -> str:
    """A byte count for a message: exact, with its binary unit when large."""
    for unit, scale in (("GiB", GIB), ("MiB", MIB)):
        if n >= scale:
            return f"{n} bytes ({n / scale:.3g} {unit})"
    return f"{n} bytes"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@dataclass(frozen=True)
class Declared:
    """What a ``.npy`` header declares: dtype, shape, order, and the header's own length in bytes."""

    dtype: np.dtype[Any]
    shape: tuple[int, ...]
    fortran: bool
    header_bytes: int

    @property
    def count(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.count * self.dtype.itemsize


class _HeaderReader:
    """The reader numpy's header parser reads through: it counts the bytes (the parser does not say where
    the header stops) and refuses to read past a header's bound.  numpy reads the whole declared header
    before comparing it with ``max_header_size``: a version 2.0 header may declare 4 GiB, which a zip
    member would inflate in one read."""

    def __init__(self, fh: IO[bytes], cap: int) -> None:
        self.fh = fh
        self.cap = cap
        self.count = 0

    def read(self, n: int = -1) -> bytes:
        if n < 0 or self.count + n > self.cap:
            raise ValueError(f".npy header longer than {self.cap} bytes")
        data = self.fh.read(n)
        self.count += len(data)
        return data


def _header(fh: IO[bytes]) -> Declared:
    """The ``.npy`` header at the reader's position (versions 1.0 and 2.0; 3.0 only adds UTF-8 field names,
    i.e. structured dtypes, which are refused anyway)."""
    counting = _HeaderReader(fh, cap=12 + MAX_NPY_HEADER)  # magic and version, length, the header itself
    version = np.lib.format.read_magic(counting)
    if version == (1, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_1_0(counting, max_header_size=MAX_NPY_HEADER)
    elif version == (2, 0):
        shape, fortran, dtype = np.lib.format.read_array_header_2_0(counting, max_header_size=MAX_NPY_HEADER)
    else:
        raise ValueError(f".npy format version {version[0]}.{version[1]} (expected 1.0 or 2.0)")
    if any(d < 0 for d in shape):
        raise ValueError(f"negative dimension in shape {shape}")
    return Declared(dtype, tuple(shape), bool(fortran), counting.count)


def _check_dtype(where: str, what: str, d: Declared, *, text: bool) -> None:
    """``what`` (``array 'W1'``) holds real numbers, or is a bounded unicode scalar when ``text``."""
    dt = d.dtype
    if text:
        if dt.kind != "U" or d.shape != ():
            raise ParameterTypeError(f"{where}: {what} has dtype {dt} and shape {d.shape}; expected a text scalar")
        if dt.itemsize > MAX_TEXT_BYTES:
            raise ParameterError(f"{where}: {what} declares {_size(dt.itemsize)}; limit={_size(MAX_TEXT_BYTES)}")
        return
    if dt.kind not in _REAL_KINDS or dt.names is not None or dt.subdtype is not None:
        raise ParameterTypeError(f"{where}: {what} has dtype {dt}; expected real numbers")


def _read_data(fh: IO[bytes], d: Declared, where: str, what: str) -> np.ndarray:
    """Exactly the declared data from the reader, into one array; a short or long stream is refused."""
    flat = np.empty(d.count, dtype=d.dtype)
    raw = flat.view(np.uint8)
    pos = 0
    while pos < d.nbytes:
        chunk = fh.read(min(_CHUNK, d.nbytes - pos))
        if not chunk:
            raise ParameterError(f"{where}: {what} ends after {pos} of its {d.nbytes} declared bytes")
        raw[pos : pos + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
        pos += len(chunk)
    if fh.read(1):
        raise ParameterError(f"{where}: {what} runs on beyond its {d.nbytes} declared bytes")
    return flat.reshape(d.shape, order="F" if d.fortran else "C")


def _regular_file(p: Path, where: str) -> None:
    """A path that exists and is a regular file (sizes are checked against the file's own)."""
    if not p.exists():
        raise ParameterError(f"{where}: no such file")
    if not p.is_file():
        raise ParameterError(f"{where}: not a regular file")


def _check_member(where: str, info: zipfile.ZipInfo) -> None:
    """What a zip record says before the member is opened: not encrypted, a compression numpy or torch writes."""
    if info.flag_bits & 0x1:
        raise ParameterError(f"{where}: member {info.filename!r} is encrypted")
    if info.compress_type not in _METHODS:
        raise ParameterError(
            f"{where}: member {info.filename!r} uses compression method {info.compress_type}; expected stored "
            "or deflated (what numpy and torch write)"
        )


def _check_total(where: str, total: int, limit: int) -> None:
    if total > limit:
        raise ParameterError(f"{where}: declares {_size(total)} of arrays; limit={_size(limit)}")


def _guarded(where: str, what: str, step: Callable[[], _T]) -> _T:
    """``step()``, with any exception of the readers below it refused as ``where: not a readable what``."""
    try:
        return step()
    except LogpruneError:
        raise
    except MemoryError:  # a bounded read that still does not fit: the machine's limit, said as such
        raise
    except Exception as exc:  # zipfile, zlib, bz2, lzma, struct and numpy's header parser raise many kinds
        raise ParameterError(f"{where}: not a readable {what} ({_first_line(exc)})") from None


def _npz_declarations(
    zf: zipfile.ZipFile, where: str, text: Collection[str], ratio_kinds: str, limit: int
) -> list[tuple[zipfile.ZipInfo, str, Declared]]:
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ParameterError(f"{where}: holds {len(infos)} members; limit={MAX_MEMBERS}")
    seen: set[str] = set()
    out = []
    total = 0
    for info in infos:
        fname = info.filename
        if info.is_dir() or not fname.endswith(".npy"):
            raise ParameterError(f"{where}: member {fname!r} is not a .npy array")
        name = fname[: -len(".npy")]
        if name in seen:
            raise ParameterError(f"{where}: holds the array {name!r} twice")
        seen.add(name)
        _check_member(where, info)
        with zf.open(info) as fh:
            d = _header(fh)
        _check_dtype(where, f"array {name!r}", d, text=name in text)
        total += d.nbytes
        _check_total(where, total, limit)
        if info.file_size != d.header_bytes + d.nbytes:
            raise ParameterError(
                f"{where}: member {fname!r} holds {info.file_size - d.header_bytes} bytes of data; its header "
                f"declares {d.nbytes} ({d.dtype}, shape {d.shape})"
            )
        compressed = info.compress_type != zipfile.ZIP_STORED
        if compressed and d.dtype.kind in ratio_kinds and info.file_size > RATIO_FLOOR:
            if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size / max(info.compress_size, 1)
                raise ParameterError(
                    f"{where}: member {fname!r} inflates {ratio:.0f}:1 to {_size(info.file_size)}; "
                    f"limit={MAX_RATIO}:1 beyond {_size(RATIO_FLOOR)} (a zip bomb? a genuine array can be "
                    "saved uncompressed, np.savez)"
                )
        out.append((info, name, d))
    return out


def read_npz(
    path: str | Path,
    param: str,
    *,
    text: Collection[str] = (),
    ratio_kinds: str = _REAL_KINDS,
    limit: int = MAX_BYTES,
) -> dict[str, np.ndarray]:
    """The arrays of a ``.npz`` file, in the file's order, every declaration checked first (module doc).

    ``text``: names that must be unicode scalars (Ĝ's ``meta``); every other array must hold real numbers.
    ``ratio_kinds``: the dtype kinds the inflation check applies to (Ĝ's integer indices are legitimately
    near-constant, e.g. every row index 0 for an output of width 1, so Ĝ checks its floats only)."""
    p = Path(path)
    where = f"{param}={path}"
    _regular_file(p, where)

    def read() -> dict[str, np.ndarray]:
        with zipfile.ZipFile(p) as zf:
            members = _npz_declarations(zf, where, text, ratio_kinds, limit)
            arrays = {}
            for info, name, d in members:
                with zf.open(info) as fh:
                    fh.read(d.header_bytes)
                    arrays[name] = _read_data(fh, d, where, f"array {name!r}")
            return arrays

    return _guarded(where, ".npz file", read)


def read_npy(path: str | Path, param: str, *, limit: int = MAX_BYTES) -> np.ndarray:
    """The array of a ``.npy`` file of real numbers; its header is checked against the file's size first."""
    p = Path(path)
    where = f"{param}={path}"
    _regular_file(p, where)

    def read() -> np.ndarray:
        with open(p, "rb") as fh:
            d = _header(fh)
            _check_dtype(where, "the array", d, text=False)
            _check_total(where, d.nbytes, limit)
            held = os.fstat(fh.fileno()).st_size - d.header_bytes
            if held != d.nbytes:
                raise ParameterError(
                    f"{where}: holds {held} bytes of data; its header declares {d.nbytes} ({d.dtype}, shape {d.shape})"
                )
            return _read_data(fh, d, where, "the array")

    return _guarded(where, ".npy file", read)


def check_safetensors(path: str | Path, param: str, *, limit: int = MAX_BYTES) -> dict[str, Any]:
    """The parsed JSON header of a ``.safetensors`` file, checked before the library reads the file: the
    header's length (8 bytes, little-endian) within the file and :data:`MAX_SAFETENSORS_HEADER`; every
    tensor's dtype real numbers (:data:`SAFETENSORS_DTYPES`), its byte range matching its shape and lying
    in the file; the declared sizes together within ``limit``."""
    p = Path(path)
    where = f"{param}={path}"
    _regular_file(p, where)

    def check() -> dict[str, Any]:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            if size < 8:
                raise ParameterError(f"{where}: not a .safetensors file ({size} bytes, less than its 8-byte header)")
            (n,) = struct.unpack("<Q", fh.read(8))
            if n > MAX_SAFETENSORS_HEADER:
                raise ParameterError(f"{where}: header of {_size(n)}; limit={_size(MAX_SAFETENSORS_HEADER)}")
            if 8 + n > size:
                raise ParameterError(f"{where}: header of {n} bytes beyond the file's {size}")
            header = json.loads(fh.read(n).decode("utf-8"))
        if not isinstance(header, dict):
            raise ParameterError(f"{where}: the header is a JSON {type(header).__name__}, not an object")
        data = size - 8 - n
        total = 0
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            if not isinstance(entry, dict):
                raise ParameterError(f"{where}: tensor {name!r} has no dtype, shape and data_offsets")
            dtype: Any = entry.get("dtype")
            shape: Any = entry.get("shape")
            offsets: Any = entry.get("data_offsets")
            if dtype not in SAFETENSORS_DTYPES:
                raise ParameterTypeError(f"{where}: tensor {name!r} has dtype {dtype}; expected real numbers")
            ints = isinstance(shape, list) and all(type(v) is int and v >= 0 for v in shape)
            pair = isinstance(offsets, list) and len(offsets) == 2 and all(type(v) is int for v in offsets)
            if not (ints and pair):
                raise ParameterError(f"{where}: tensor {name!r} has shape={shape}, data_offsets={offsets}")
            nbytes = math.prod(shape) * SAFETENSORS_DTYPES[dtype]
            total += nbytes
            _check_total(where, total, limit)
            begin, end = offsets
            if not (0 <= begin <= end <= data) or end - begin != nbytes:
                raise ParameterError(
                    f"{where}: tensor {name!r} declares {nbytes} bytes ({dtype}, shape {tuple(shape)}) at "
                    f"[{begin}, {end}) of the file's {data} data bytes"
                )
        return header

    return _guarded(where, ".safetensors file", check)


def check_zip_members(path: str | Path, param: str, *, limit: int = MAX_BYTES) -> None:
    """For a zip checkpoint (PyTorch's format since 1.6): the members' declared sizes together within
    ``limit``, no member inflating beyond :data:`MAX_RATIO` to 1 past :data:`RATIO_FLOOR`, no encrypted
    member, and every member's CRC (torch's own reader does not check them, so a flipped byte in a
    weight would go unnoticed).  Files that are not zips are left to their reader."""
    p = Path(path)
    where = f"{param}={path}"

    def check() -> None:
        if not zipfile.is_zipfile(p):
            return
        with zipfile.ZipFile(p) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_MEMBERS:
                raise ParameterError(f"{where}: holds {len(infos)} members; limit={MAX_MEMBERS}")
            _check_total(where, sum(i.file_size for i in infos), limit)
            for info in infos:
                _check_member(where, info)
                big = info.compress_type != zipfile.ZIP_STORED and info.file_size > RATIO_FLOOR
                if big and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise ParameterError(
                        f"{where}: member {info.filename!r} inflates to {_size(info.file_size)} from "
                        f"{info.compress_size} bytes; limit={MAX_RATIO}:1 beyond {_size(RATIO_FLOOR)}"
                    )
            for info in infos:  # reading to the end checks the CRC
                with zf.open(info) as fh:
                    while fh.read(_CHUNK):
                        pass

    _guarded(where, "zip checkpoint", check)
