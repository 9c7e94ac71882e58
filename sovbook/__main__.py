"""``python -m sovbook``: the command line (:mod:`sovbook.cli`)."""

import sys

from .cli import main

sys.exit(main())
