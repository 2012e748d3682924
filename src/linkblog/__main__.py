"""Allow `python -m linkblog`."""

import sys

from linkblog.cli import main

sys.exit(main())
