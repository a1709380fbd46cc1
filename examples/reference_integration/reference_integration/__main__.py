"""`python -m reference_integration COMMAND ...` (see cli.py)."""

import sys

from reference_integration import main

sys.exit(main())
