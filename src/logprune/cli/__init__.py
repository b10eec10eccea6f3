"""The ``logprune`` command line: parse, call the library, print.  Scripts depend on the names here.

One module per command (:mod:`~logprune.cli.bounds`, :mod:`~logprune.cli.constants`,
:mod:`~logprune.cli.construct` (construct and demo), :mod:`~logprune.cli.verify`,
:mod:`~logprune.cli.proofs`, :mod:`~logprune.cli.snapshot`, :mod:`~logprune.cli.check`), each with a
``register(subparsers)``; what they share is in :mod:`~logprune.cli.common`.  Every command takes
``--json`` (JSON on stdout) and ``--output FILE`` (written atomically).  Every user error ends in one line
on stderr (``logprune: error: ...``) and exit status 2; an unexpected failure prints one line too
(exit 3), never a traceback.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from logprune.cli import bounds, check, constants, construct, proofs, snapshot, verify
from logprune.cli.common import Parser, call
from logprune.version import __version__

__all__ = ["build_parser", "main"]

COMMANDS = (bounds, constants, construct, verify, proofs, snapshot, check)


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="logprune", description="Certified bounds for the strong lottery ticket hypothesis.")
    p.add_argument("--version", action="version", version=f"logprune {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for command in COMMANDS:
        command.register(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the exit status (0 ok, 1 the command's result is negative, 2 bad input, 3 a bug)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # argparse: --help, --version (0) or one line of bad usage (2)
        return exc.code if isinstance(exc.code, int) else 2
    return call(args.func, args)
