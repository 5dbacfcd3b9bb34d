"""``python -m exactfit`` runs the command line."""

import sys

from exactfit.cli import main

sys.exit(main())
