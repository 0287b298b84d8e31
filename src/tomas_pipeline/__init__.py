"""TOMAS toolkit: rebuilds the TOMAS advocacy paper from cited data."""

from tomas_pipeline._version import __version__

__all__ = ["__version__"]
