"""What an inline expression's value becomes in the Markdown, as Quarto decides it.

Quarto (src/core/jupyter/jupyter-inline.ts, `resolveUserExpressions`) takes the
value's display data (Jupyter `user_expressions`): a `text/markdown` result is
inserted as Markdown; a `text/plain` result (the value's repr) is text: quotes
round a string are stripped and Markdown punctuation is backslash-escaped
(`asEscapedMarkdown`). So a plain `str` of Markdown comes out as literal markup.
https://quarto.org/docs/computations/inline-code.html ("Markdown Output").
"""

from __future__ import annotations

import re

from .errors import RenderError

# Quarto's class `[\\`*_{}\[\]()>#+-.!]`: `+-.` is a range, so `,` is escaped too.
_QUARTO_ESCAPE_RE = re.compile(r"([\\`*_{}\[\]()>#+,\-.!])")
# Characters that are markup in Pandoc Markdown and would be printed literally
# (or, `@`, read as a citation) once Quarto has treated the value as text.
_MARKUP_RE = re.compile(r"[\\`*_{}\[\]<>#@$~^|]")


def quarto_escaped(plain: str) -> str:
    """Quarto's `asEscapedMarkdown` of a `text/plain` repr, to the byte."""
    if len(plain) >= 2 and plain[0] == plain[-1] and plain[0] in "'\"":
        inner = plain[1:-1].replace("\\", "\\\\")
        return _QUARTO_ESCAPE_RE.sub(r"\\\1", inner)
    return plain  # numbers, None, True...: inserted as they are


def inline_text(data: dict, fmt: str | None = None) -> tuple[str, bool]:
    """(Markdown to insert, whether it came from a plain text result) for one inline value."""
    if "text/html" in data:
        # Quarto ranks text/html first for HTML and drops it for other formats:
        # the formats would differ, so it is refused here.
        raise RenderError("an inline value with an HTML representation (text/html) is not supported; "
                          "return Markdown (IPython.display.Markdown) or plain text")
    if "text/markdown" in data:
        return str(data["text/markdown"]), False
    if "text/plain" in data:
        return quarto_escaped(str(data["text/plain"])), True
    raise RenderError(f"an inline value has no text representation (only {', '.join(sorted(data))})")


def plain_markup(value_repr: str) -> list[str]:
    """The Markdown characters in a plain-text inline value (sorted, unique)."""
    if len(value_repr) >= 2 and value_repr[0] in "'\"":
        return sorted(set(_MARKUP_RE.findall(value_repr[1:-1])))
    # An object's repr (`np.float64(3.5)`, `<Foo at 0x...>`) would be printed as it is.
    return [value_repr] if re.search(r"[(<\[{]", value_repr) else []
