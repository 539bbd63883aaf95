"""`python -m opskit` runs the same command as `opskit`."""

import sys

from opskit.cli import main

sys.exit(main())
