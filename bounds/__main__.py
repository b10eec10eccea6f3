"""``python -m logprune.bounds [options]``: the same as ``logprune bounds [options]``."""

import sys

from logprune.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["bounds", *sys.argv[1:]]))
