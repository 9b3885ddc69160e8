"""`python -m adapters` runs the same CLI as `videobot`."""

import sys

from adapters.cli import main

sys.exit(main())
