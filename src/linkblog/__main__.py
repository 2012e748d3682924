"""Allow `python -m linkblog`."""

import sys

try:
    from linkblog.cli import main

    code = main()
except KeyboardInterrupt:  # Ctrl-C before the command could even start
    print("interrupted", file=sys.stderr)
    code = 130
sys.exit(code)
