"""`python -m flows serve|run …`: what `sureform serve` (and `sureform run` with PREFECT_API_URL) hand over to."""
import sys

from flows.cli import main

sys.exit(main())
