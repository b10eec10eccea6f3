"""``python -m logprune ...``: the same as the ``logprune`` console script."""

from logprune.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
