"""Write files all at once or not at all: a temporary file in the target folder, then a rename.

What a rename would get wrong is handled first:
- a symbolic link is followed: its target is replaced, the link stays a link;
- a special file (a device such as /dev/null or /dev/stdout, a FIFO) is written through, never replaced
  by a regular file (a rename would do that, even to a device node when run as root);
- a directory is refused in one line;
- a new file gets the permissions 0666 & ~umask, as ``open`` would give it, not mkstemp's 0600; a
  replaced regular file keeps its own.
The temporary file is removed on any exception, Ctrl-C included.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from logprune.errors import ParameterError

__all__ = ["check_writable", "markers", "write_block", "write_bytes_atomic", "write_text_atomic"]


def check_writable(name: str, path: str | os.PathLike[str]) -> None:
    """Refuse, before any work, an output path that cannot be written (so nothing runs for minutes first).

    Empty, a directory, or a folder that does not exist or cannot be written: one line naming
    ``name=path``.  An existing special file (a device, a FIFO) is fine: it is written through."""
    text = os.fspath(path)
    if not text.strip():
        raise ParameterError(f"{name}={text!r}: an empty path")
    target = Path(text)
    if target.is_dir():
        raise ParameterError(f"{name}={text}: is a directory")
    if target.exists() and not target.is_file():
        return
    folder = (target.resolve() if target.is_symlink() else target).parent
    if not folder.is_dir():
        raise ParameterError(f"{name}={text}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ParameterError(f"{name}={text}: folder {folder} is not writable")


def _umask() -> int:
    mask = os.umask(0)  # the only way to read it: set, then restore at once
    os.umask(mask)
    return mask


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``os.replace`` of a synced temporary file; module doc)."""
    target = Path(path)
    if target.exists() and not target.is_file():  # what the path leads to, links followed
        if target.is_dir():
            raise ParameterError(f"path={path}: is a directory")
        with open(target, "wb") as fh:  # a device, a FIFO, /dev/stdout: write through
            fh.write(data)
        return
    if target.is_symlink():
        target = target.resolve()  # a link to a regular file (or to a file still to be made)
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def markers(name: str) -> tuple[str, str]:
    """The markers of a generated block ``name`` in a Markdown file (``<!-- name:start -->`` ... ``end``)."""
    return f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"


def write_block(path: str | os.PathLike[str], name: str, block: str, whole: str | None = None) -> None:
    """Write a generated block atomically: a file that holds the markers of ``name`` keeps everything outside
    them and gets ``block`` between them (so ``--report README.md`` updates the README's generated section
    only); any other file is replaced by ``whole`` (``block`` when None).  A figure or count in the docs is
    never typed by hand: it is the block its command wrote."""
    start, end = markers(name)
    target = Path(path)
    old = target.read_text(encoding="utf-8") if target.is_file() else ""
    if start in old and end in old.split(start, 1)[1]:
        head, rest = old.split(start, 1)
        tail = rest.split(end, 1)[1]
        text = f"{head}{start}{block}{end}{tail}"
    else:
        text = block if whole is None else whole
    write_text_atomic(target, text)
