# The one place the toolkit's version is written; everything else reads it.
__version__ = "0.1.0"
