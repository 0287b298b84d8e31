"""How to cite a version: everything is made from CITATION.cff, never by hand.

``load_citation`` reads the file (CFF 1.2.0), ``to_bibtex`` and
``formatted_citation`` turn it into a BibTeX entry and a sentence for the
report's "How to cite" appendix and the release notes.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

CITATION_FILE = "CITATION.cff"


def load_citation(path: Path | str = CITATION_FILE) -> dict:
    """The CFF file as a dict, with YAML dates turned back into ISO strings.

    YAML reads an unquoted 2026-11-30 as a date object; the CFF schema and
    everything downstream expect the text.
    """
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a CFF mapping at the top level")
    return _dates_to_text(data)


def _dates_to_text(value):
    if isinstance(value, dict):
        return {k: _dates_to_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_dates_to_text(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _name(author: dict, initials: bool) -> str:
    """An entity by its name; a person as 'Family, G.' (initials) or 'Family, Given'."""
    if "name" in author:
        return str(author["name"])
    family = " ".join(str(author[k]) for k in ("name-particle", "family-names") if author.get(k))
    given = str(author.get("given-names", ""))
    if initials and given:
        given = " ".join(part[0] + "." for part in given.split())
    suffix = f", {author['name-suffix']}" if author.get("name-suffix") else ""
    return f"{family}{suffix}, {given}".strip(", ") if given else family + suffix


def _year(cff: dict) -> str:
    return str(cff.get("date-released", ""))[:4] or "n.d."


# The reference's own words; a caller writing in another language passes their translations.
WORDS = {"Version": "Version", "Computer software": "Computer software", "Data set": "Data set", "Report": "Report"}


def formatted_citation(cff: dict, words: dict[str, str] | None = None) -> str:
    """One plain-text reference in APA style (the usual form for software).

    ``type: report`` (not a CFF type: a caller's adapted copy, such as a country
    brief's) is cited as a report; ``words`` replaces WORDS' English.
    """
    words = {**WORDS, **(words or {})}
    names = [_name(a, initials=True) for a in cff.get("authors", [])]
    if len(names) > 1:
        authors = ", ".join(names[:-1]) + ", & " + names[-1]
    else:
        authors = names[0] if names else "Anonymous"
    parts = [f"{authors} ({_year(cff)}). {cff['title']}"]
    if cff.get("version") is not None:
        parts[0] += f" ({words['Version']} {cff['version']})"
    kind = {"dataset": "Data set", "report": "Report"}.get(str(cff.get("type")), "Computer software")
    parts[0] += f" [{words[kind]}]."
    if cff.get("doi"):
        parts.append(f"https://doi.org/{cff['doi']}")
    elif cff.get("url") or cff.get("repository-code"):
        parts.append(str(cff.get("url") or cff.get("repository-code")))
    return " ".join(parts)


# BibTeX treats these as commands or grouping; escape them in field values.
_BIBTEX_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
                   "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def _bib_escape(text: object) -> str:
    return "".join(_BIBTEX_SPECIAL.get(ch, ch) for ch in str(text))


def bibtex_key(cff: dict) -> str:
    base = re.sub(r"[^a-z0-9]+", "_", str(cff["title"]).split(":")[0].lower()).strip("_")
    version = re.sub(r"[^0-9a-zA-Z]+", "_", str(cff.get("version", ""))).strip("_")
    return f"{base}_{version}" if version else base


def to_bibtex(cff: dict) -> str:
    """A biblatex ``@software`` (or ``@dataset``) entry; entities are braced so
    BibTeX does not split them into first and last names."""
    authors = []
    for author in cff.get("authors", []):
        name = _bib_escape(_name(author, initials=False))
        authors.append("{" + name + "}" if "name" in author else name)
    fields = [("author", " and ".join(authors)), ("title", "{" + _bib_escape(cff["title"]) + "}")]
    if cff.get("version") is not None:
        fields.append(("version", _bib_escape(cff["version"])))
    if cff.get("date-released"):
        fields += [("date", _bib_escape(cff["date-released"])), ("year", _year(cff))]
    if cff.get("doi"):
        fields.append(("doi", _bib_escape(cff["doi"])))
    url = cff.get("url") or cff.get("repository-code")
    if url:
        fields.append(("url", url))
    if cff.get("license"):
        licence = cff["license"]
        fields.append(("license", _bib_escape(" OR ".join(licence) if isinstance(licence, list) else licence)))
    kind = "dataset" if cff.get("type") == "dataset" else "software"
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(cff)},\n{body}\n}}\n"
