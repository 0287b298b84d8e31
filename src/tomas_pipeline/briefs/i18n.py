"""Message catalogs, plural forms, dates and numbers for the country briefs.

Every sentence and label of a brief is an English msgid in the code, marked
``_("...")`` or ``n("singular", "plural", count)``; its translation is in
``locale/<lang>/LC_MESSAGES/briefs.po``, a file a native speaker reviews.
Nothing is translated by a machine at build time. A message that a catalog
lacks (missing, empty or fuzzy) is shown in English followed by FALLBACK_MARK,
so a reader sees it, and :func:`untranslated` lists it.

The catalog template ``locale/briefs.pot`` is extracted from the code with
``pybabel extract`` (:data:`EXTRACT_ARGS` on :data:`EXTRACT_PATHS`: the briefs,
the figure they share with the paper and the shared vocabulary); a test checks it is up to date.
After changing a message, from the repository root::

    .venv/bin/pybabel extract --no-default-keywords -k _ -k n:1,2 -k N_ --no-location --sort-output \
        --add-comments=TRANSLATORS: --project=tomas-briefs \
        -o src/tomas_pipeline/briefs/locale/briefs.pot src/tomas_pipeline/briefs src/tomas_pipeline/figures/charts.py \
        src/tomas_pipeline/sources/vocabulary.py
    .venv/bin/pybabel update -D briefs -i src/tomas_pipeline/briefs/locale/briefs.pot \
        -d src/tomas_pipeline/briefs/locale

and translate what `update` added (empty) or marked fuzzy: until then the
brief shows those messages in English with the mark.
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

from tomas_pipeline.core.errors import TomasError

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "briefs"
# English is the language of the msgids, so it has no catalog of its own.
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "sr_Cyrl", "sr_Latn", "sq", "mk", "bs", "hr", "cnr")
# The babel (CLDR) locale that formats a catalog's dates and numbers, where it is not the catalog's code.
# CLDR has no Montenegrin: its own alias table maps cnr to sr_ME, Serbian as written in Montenegro, and
# sr_Latn_ME is that in the Latin script our cnr catalog uses (months januar ... avgust, 1.234,5).
BABEL_LOCALE = {"cnr": "sr_Latn_ME"}
# Language (ISO 639, the register's `language`) and script of the catalogs whose code does not say them.
# Montenegrin's own code: parsed by babel it would become Serbian, and the brief would take Serbian names.
_LANGUAGE_SCRIPT = {"en": ("en", "Latn"), "sq": ("sq", "Latn"), "mk": ("mk", "Cyrl"), "bs": ("bs", "Latn"),
                    "hr": ("hr", "Latn"), "cnr": ("cnr", "Latn")}
FALLBACK_MARK = "†"
# pybabel's arguments, run from the repository root: only our two keywords, no
# line numbers (they would make the template change with every edit above a message).
EXTRACT_ARGS = ["extract", "--no-default-keywords", "-k", "_", "-k", "n:1,2", "-k", "N_", "--no-location",
                "--sort-output", "--add-comments=TRANSLATORS:", "--project=tomas-briefs"]
# What is extracted, from the repository root: a brief's figure (figures.country_penalties) lives with
# the paper's figures, its words in these catalogs.
EXTRACT_PATHS = ["src/tomas_pipeline/briefs", "src/tomas_pipeline/figures/charts.py",
                 "src/tomas_pipeline/sources/vocabulary.py"]


class BriefLanguageError(TomasError):
    """A language the briefs have no catalog for."""


@dataclass(frozen=True)
class Lang:
    code: str          # our code: sr_Cyrl
    bcp47: str         # what HTML and Pandoc's `lang` take: sr-Cyrl
    language: str      # ISO 639-1 (639-3 where there is none: cnr), the column `language` of country_names.csv
    script: str        # ISO 15924, the column `script` of country_names.csv
    babel: str         # the CLDR locale of its dates, numbers and plural rules: sr_Latn_ME for cnr


def lang_info(code: str) -> Lang:
    if code not in LANGUAGES:
        raise BriefLanguageError(f"no brief catalog for language {code!r}; expected one of {', '.join(LANGUAGES)}")
    if code in _LANGUAGE_SCRIPT:
        language, script = _LANGUAGE_SCRIPT[code]
        # cnr is written in two scripts, so its tag says which; the others have one in use here.
        bcp47 = f"{language}-{script}" if code == "cnr" else language
    else:
        locale = Locale.parse(code)
        language, script = locale.language, str(locale.script)
        bcp47 = f"{language}-{script}"
    return Lang(code, bcp47, language, script, BABEL_LOCALE.get(code, code))


def po_path(code: str) -> Path:
    return LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def pot_path() -> Path:
    return LOCALE_DIR / f"{DOMAIN}.pot"


class _Marked(gettext.NullTranslations):
    """The fallback under a catalog: English, visibly marked."""

    def gettext(self, message: str) -> str:
        return message + FALLBACK_MARK

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return (singular if n == 1 else plural) + FALLBACK_MARK


@functools.cache
def translations(code: str) -> gettext.NullTranslations:
    """The catalog of `code`, compiled from its .po in memory.

    Compiled at run time rather than committed as .mo: the reviewed .po is then
    the only copy, and a binary file can never disagree with it. write_mo leaves
    out empty and fuzzy messages, so they reach the marked fallback.
    """
    lang_info(code)
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = po_path(code)
    if not path.is_file():
        raise BriefLanguageError(f"{path}: the catalog of language {code!r} is missing")
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALE.get(code, code), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    compiled.add_fallback(_Marked())
    return compiled


def template_msgids(pot: Path | None = None) -> list[str]:
    """Every msgid the code uses, as the template lists them (plural entries by their singular)."""
    with (pot or pot_path()).open("rb") as handle:
        catalog = read_po(handle)
    return sorted(_msgid(m.id) for m in catalog if m.id)


def _msgid(message_id: object) -> str:
    # babel gives a plural entry's id as a (singular, plural) tuple, any other as a string.
    return cast(str, message_id[0] if isinstance(message_id, tuple) else message_id)


def untranslated(code: str) -> list[str]:
    """The template's msgids that `code`'s catalog does not translate (missing, empty or fuzzy)."""
    lang_info(code)
    if code == SOURCE_LANGUAGE:
        return []
    with po_path(code).open("rb") as handle:
        catalog = read_po(handle, locale=BABEL_LOCALE.get(code, code))
    done = {_msgid(m.id) for m in catalog if m.id and not m.fuzzy and _complete(m.string)}
    return [m for m in template_msgids() if m not in done]


def _complete(string: object) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


class Translator:
    """`_`, `n`, dates and numbers for one language, passed to the code that writes a brief."""

    def __init__(self, code: str) -> None:
        self.lang = lang_info(code)
        self.code = code
        self._catalog = translations(code)
        self.locale = Locale.parse(self.lang.babel)

    def _(self, message: str) -> str:
        return self._catalog.gettext(message)

    def n(self, singular: str, plural: str, count: int) -> str:
        return self._catalog.ngettext(singular, plural, count)

    def number(self, value: float | int, digits: int = 0) -> str:
        """A number as the locale writes it (separators, decimal mark), rounded to `digits` places."""
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def date(self, value: dt.date | str) -> str:
        """An ISO date of any precision: a full date in the locale's long form, a month or a year as given."""
        if isinstance(value, dt.date):
            return format_date(value, format="long", locale=self.locale)
        text = str(value).strip()
        if text.endswith(".0"):  # a year read back as a float
            text = text[:-2]
        parts = text.split("-")
        if len(parts) == 3:
            return format_date(dt.date(int(parts[0]), int(parts[1]), int(parts[2])), format="long",
                               locale=self.locale)
        if len(parts) == 2:
            return format_date(dt.date(int(parts[0]), int(parts[1]), 1), format="LLLL y", locale=self.locale)
        return text
