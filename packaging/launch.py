"""Entry point of the frozen app: the same launcher as the `alstudio` command."""

import sys

from alstudio.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
