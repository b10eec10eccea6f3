"""What every command shares: the one-line-error parser, the output options and the error handling.

- :class:`Parser`: argparse with one-line errors (``logprune: error: ... (see PROG --help)``, exit 2).
- :func:`add_output` gives a command the two output options every command takes: ``--json`` (a switch:
  JSON on stdout instead of text) and ``--output FILE`` (what would go to stdout is written to FILE,
  atomically, so a failed run leaves an existing FILE intact).
- :func:`emit`, :func:`emit_lines`, :func:`emit_json` print (or write) what the library formatted;
  :func:`note` prints a side remark where it cannot corrupt JSON on stdout.
- :func:`call` runs a command: a :class:`~logprune.errors.LogpruneError` (bad input, a file that does not
  hold what it claims) or an OS error becomes one line on stderr and exit 2; Ctrl-C one line and exit
  130; an unexpected failure one line and exit 3, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NoReturn

from logprune.atomic import check_writable, write_text_atomic
from logprune.errors import LogpruneError, ParameterError

__all__ = [
    "Parser",
    "add_attack",
    "add_output",
    "add_target_reading",
    "attack_budget",
    "call",
    "check_outputs",
    "cpu_count",
    "emit",
    "emit_json",
    "emit_lines",
    "error",
    "json_text",
    "note",
]

Command = Callable[[argparse.Namespace], int]


class Parser(argparse.ArgumentParser):
    """argparse with one-line errors (no usage dump) that name the (sub)command whose help to read."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"logprune: error: {message} (see {self.prog} --help)\n")
        raise SystemExit(2)

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        ns, extras = super().parse_known_args(args, namespace)
        if not hasattr(ns, "_leaf"):  # the innermost subcommand parses first: its name wins
            ns._leaf = self.prog
        return ns, extras

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        ns, extras = self.parse_known_args(args, namespace)
        if extras:  # an option the subcommand does not take is refused, never ignored
            sys.stderr.write(f"logprune: error: unrecognized arguments: {' '.join(extras)} (see {ns._leaf} --help)\n")
            raise SystemExit(2)
        return ns


def add_output(p: argparse.ArgumentParser, *, json_help: str = "print JSON instead of text") -> None:
    """``--json`` (switch) and ``--output FILE`` (atomic), the output options of every command."""
    p.add_argument("--json", action="store_true", help=json_help)
    p.add_argument("--output", default=None, metavar="FILE", help="write to FILE (atomically) instead of stdout")


def add_target_reading(p: argparse.ArgumentParser) -> None:
    """``--layer-order`` and ``--bn-eps``: how to read a checkpoint whose file does not say it all."""
    p.add_argument(
        "--layer-order",
        default=None,
        metavar="NAME,NAME,...",
        help="the linear layers' names in forward order (fc1,fc2,out), where the shapes do not fix the order",
    )
    p.add_argument(
        "--bn-eps",
        default=None,
        metavar="EPS",
        help="the eps of the checkpoint's BatchNorm1d layers, to fold them into their linear layers (a state_dict "
        "does not hold it; torch's default is 1e-5)",
    )


def add_attack(p: argparse.ArgumentParser) -> None:
    """``--attack`` with its budget: the adversarial search for the certificate's lower bracket."""
    p.add_argument(
        "--attack", action="store_true", help="search the worst input on the certificate's domain (lower bracket)"
    )
    p.add_argument("--restarts", default="32", help="with --attack: starting points (default 32)")
    p.add_argument("--steps", default="100", help="with --attack: gradient steps per start (default 100)")


def attack_budget(args: argparse.Namespace) -> tuple[str, str] | None:
    """(restarts, steps) as given when --attack is given (checked by the library); None otherwise (a budget
    without --attack is refused)."""
    if not args.attack:
        if args.restarts != "32" or args.steps != "100":
            raise ParameterError("restarts/steps: they go with --attack")
        return None
    return args.restarts, args.steps


def emit(args: argparse.Namespace, text: str) -> None:
    """``text`` to ``--output`` (atomically) or to stdout."""
    out = getattr(args, "output", None)
    if out:
        write_text_atomic(out, text)
    else:
        sys.stdout.write(text)


def emit_lines(args: argparse.Namespace, lines: Iterable[str]) -> None:
    emit(args, "".join(f"{line}\n" for line in lines))


def json_text(doc: Any, *, indent: int = 2, sort_keys: bool = False) -> str:
    """The JSON text the toolkit writes (UTF-8 as is, a final newline)."""
    return json.dumps(doc, indent=indent, sort_keys=sort_keys, ensure_ascii=False) + "\n"


def emit_json(args: argparse.Namespace, doc: Any, *, indent: int = 2, sort_keys: bool = False) -> None:
    emit(args, json_text(doc, indent=indent, sort_keys=sort_keys))


def note(args: argparse.Namespace, text: str) -> None:
    """A remark (notices, the paths of written figures), always on stderr: stdout carries only what the command
    prints (its text, JSON or LaTeX), so that it can be redirected to a file."""
    del args  # the same for every output format
    sys.stderr.write(f"logprune: {text}\n" if not text.startswith("logprune:") else f"{text}\n")


def error(text: str) -> None:
    """The one-line message of a command that ran but failed (exit 1 follows)."""
    sys.stderr.write(f"logprune: error: {text}\n")


def cpu_count() -> int:
    """All cores: the default number of worker processes."""
    return os.cpu_count() or 1


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that every ``finally`` runs (temporary files are removed,
    queued work is cancelled) exactly as for Ctrl-C; the status is the shell's for SIGTERM (143)."""


def _raise_terminated(signum: int, frame: Any) -> None:
    raise Terminated


# Paths a command writes to, checked before it starts (a list for options that may be repeated); the
# figure options are path stems whose folder must exist.
_OUTPUTS = ("output", "out", "report", "latex")
_STEMS = ("figure",)


def check_outputs(args: argparse.Namespace) -> None:
    """Every output path of the command writable, before any work (:func:`logprune.atomic.check_writable`)."""
    for name in (*_OUTPUTS, *_STEMS):
        value = getattr(args, name, None)
        if isinstance(value, bool):  # a switch of the same name (bounds --latex prints LaTeX on stdout)
            continue
        for path in value if isinstance(value, list) else [] if value is None else [value]:
            if name in _STEMS:
                check_writable(name, os.path.join(os.path.dirname(path) or ".", os.path.basename(path) + ".png"))
            else:
                check_writable(name, path)


def call(func: Command, args: argparse.Namespace) -> int:
    """Run a command with the toolkit's error contract (module doc)."""
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _raise_terminated) if main_thread else None
    try:
        check_outputs(args)
        return int(func(args))
    except Terminated:  # SIGTERM: one line, temporary files removed by the finally clauses on the way up
        sys.stderr.write("logprune: terminated\n")
        return 143
    except KeyboardInterrupt:  # Ctrl-C: one line and the shell's status for SIGINT; outputs are atomic
        sys.stderr.write("logprune: interrupted\n")
        return 130
    except LogpruneError as exc:
        error(str(exc))
        return 2
    except (OSError, MemoryError) as exc:
        error(f"{type(exc).__name__}: {exc}")
        return 2
    except Exception as exc:  # never a traceback for the user; the message says where to look
        sys.stderr.write(f"logprune: internal error: {type(exc).__name__}: {exc}\n")
        return 3
    finally:
        if main_thread and previous is not None:  # None: a handler installed outside Python stays
            signal.signal(signal.SIGTERM, previous)
