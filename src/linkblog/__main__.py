"""Allow `python -m linkblog`."""

from linkblog.cli import run

run()
