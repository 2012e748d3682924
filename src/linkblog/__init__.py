"""linkblog: a static-site generator for link blogs."""

__version__ = "0.1.0"
