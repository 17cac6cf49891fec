"""``python -m bench.issuance``: run both benchmarks and print the table."""

import sys

from bench.issuance.run import main

sys.exit(main())
