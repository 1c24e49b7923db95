"""`python -m kg.serve`: the serve command alone."""

import sys

from kg.serve.cli import main

sys.exit(main())
