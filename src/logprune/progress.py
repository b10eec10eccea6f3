"""The one progress bar of logprune: ``tqdm.auto`` (a text bar on a terminal, a widget in a notebook).

Every long computation (a construction's blocks, a sweep's points, practice runs, RSS trials) reports
through :func:`progress`.  The bar is shown when asked (``show``, the commands' ``--quiet`` and the API's
``progress=False`` turn it off) and where someone can see it: stderr is a terminal, or the code runs in a
Jupyter kernel.  Elsewhere (a pipe, a log file, CI) nothing is drawn, so stdout and logs stay clean.

>>> with progress(total=3, desc="demo", unit="step", show=False) as bar:
...     bar.update(3)
"""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any, Protocol

__all__ = ["Bar", "in_notebook", "progress"]


class Bar(Protocol):
    """What a caller does with a bar: advance it, and close it (or use it as a context manager)."""

    def update(self, n: float = 1) -> Any: ...

    def close(self) -> None: ...

    def __enter__(self) -> Bar: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> Any: ...


class _Hidden:
    """A bar that draws nothing (not asked for, or nobody to see it)."""

    def update(self, n: float = 1) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> _Hidden:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where tqdm.auto draws a widget and stderr is not a terminal)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    get = getattr(shell, "get_ipython", None)
    ip = get() if get is not None else None
    return ip is not None and type(ip).__name__ == "ZMQInteractiveShell"


def progress(*, total: int | None, desc: str, unit: str, show: bool = True) -> Bar:
    """A progress bar of ``total`` steps (None: unknown), labelled ``desc``, counted in ``unit``s; drawn
    only when ``show`` and someone can see it (module doc)."""
    if not show or not (sys.stderr.isatty() or in_notebook()):
        return _Hidden()
    from tqdm.auto import tqdm

    bar: Bar = tqdm(total=total, desc=desc, unit=unit, file=sys.stderr)
    return bar
