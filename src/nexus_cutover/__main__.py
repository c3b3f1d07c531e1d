"""`python -m nexus_cutover` is the `nexus-cutover` command."""

import sys

from nexus_cutover.cli import main

sys.exit(main())
