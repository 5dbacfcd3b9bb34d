"""``python -m exactfit.cli`` runs the command line (as ``python -m exactfit`` does)."""

import sys

from exactfit.cli.main import main

sys.exit(main())
