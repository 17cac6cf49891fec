"""``python -m bench.outage``: run the outage benchmark and print its results."""

import sys

from bench.outage.run import main

sys.exit(main())
