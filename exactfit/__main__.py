"""``python -m exactfit`` runs the command line."""

import sys

try:
    from exactfit.cli import main
except KeyboardInterrupt:  # Ctrl-C during the imports: nothing was read yet, no traceback
    print("exactfit: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
