"""The one error type the renderer raises for problems a writer can fix."""

from __future__ import annotations

from tomas_pipeline.core.errors import TomasError


class RenderError(TomasError, RuntimeError):
    """A render failed; the message names the file, cell or reference to fix."""
