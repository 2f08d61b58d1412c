"""``python -m dualdiff``: the command line of ``dualdiff._cli``."""

import sys

from dualdiff._cli import main

if __name__ == "__main__":
    sys.exit(main(run_as="python -m dualdiff"))
