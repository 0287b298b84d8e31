"""Reading and writing tables: forgiving about encodings people really use,
strict about everything else, and never leaving a half-written file."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import numpy as np
import pandas as pd

from tomas_pipeline.core.errors import TomasInputError

T = TypeVar("T")

# Spreadsheets run cells that start with these; see OWASP "CSV injection".
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def read_raw_csv(path: Path | str) -> pd.DataFrame:
    """Read a raw table as text cells, empty cells as missing.

    A UTF-8 byte-order mark and CRLF line ends (what Excel writes) are read
    as if they were not there; anything that is not UTF-8 is an error that
    says on which line the first bad byte sits.
    """
    path = Path(path)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TomasInputError(
            path, line, _column_at(data, exc.start), data[exc.start : exc.start + 1],
            "UTF-8 text (save the file as 'CSV UTF-8')",
        ) from None
    if not text.strip():
        raise TomasInputError(path, 1, None, "", "a CSV file with a header row and at least one data row")
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            dtype="string",
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=False,
        )
    except pd.errors.ParserError as exc:
        raise _parser_error(path, str(exc)) from None
    if frame.empty:
        raise TomasInputError(path, 2, None, "", "at least one data row under the header")
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed:")]
    if unnamed:
        raise TomasInputError(path, 1, None, unnamed[0], "a name for every column in the header row")
    # Stray spaces around cells are typing noise, not data.
    for column in frame.columns:
        # pandas-stubs' Series[str].replace takes no NA value, yet NA is what a string column holds for missing.
        frame[column] = frame[column].str.strip().replace("", pd.NA)  # type: ignore[call-overload]
    return frame


def _parser_error(path: Path, message: str) -> TomasInputError:
    """pandas' tokenizer message as a cell error: the line it names is the row to fix."""
    fields = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if fields:
        want, line, saw = map(int, fields.groups())
        return TomasInputError(path, line, None, f"{saw} cells", f"{want} cells, one per header column "
                               "(a comma inside a cell needs the cell in double quotes)")
    # "starting at row N" counts from 0 at the header.
    quote = re.search(r"EOF inside string starting at row (\d+)", message)
    if quote:
        return TomasInputError(path, int(quote.group(1)) + 1, None, "an opening double quote never closed",
                               "a closing double quote at the end of the cell")
    return TomasInputError(path, None, None, message, "a well-formed CSV table")


def _column_at(data: bytes, offset: int) -> str | None:
    """The header name of the column a byte offset falls in (a best guess: the
    line is split on commas outside quotes), so the bad cell can be found."""
    start = data.rfind(b"\n", 0, offset) + 1
    before = data[start:offset].decode("utf-8", errors="replace")
    index = len(next(csv.reader([before + "x"]))) - 1
    header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8-sig", errors="replace").strip("\r")]), [])
    return header[index] if 0 <= index < len(header) else None


def is_na(value: object) -> bool:
    """``pd.isna`` of one cell, as a bool. A cell's static type is ``object`` (or a
    union pandas-stubs' ``pd.isna`` overloads do not list), yet ``pd.isna`` takes
    any scalar at run time; a list-like raises, as ``if pd.isna(...)`` would."""
    return bool(pd.isna(cast(Any, value)))


def neutralise_formula(value: object) -> object:
    """Make a text cell inert for spreadsheets without losing what it said.

    A text that already starts with apostrophes before a formula character gets
    one more, so that ``restore_formula`` gives back exactly what was written.
    """
    if isinstance(value, str) and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return "'" + value
    return value


def restore_formula(value: object) -> object:
    """The text a neutralised cell stood for (what the report shows)."""
    if isinstance(value, str) and value.startswith("'") and value.lstrip("'").startswith(_FORMULA_PREFIXES):
        return value[1:]
    return value


def exact_number(value: float) -> str:
    """The shortest decimal that reads back as the same float, never in exponent
    form: a count of 29397681 stays 29397681, 0.1 stays 0.1."""
    return np.format_float_positional(value, trim="-", unique=True)


def frame_to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """Deterministic CSV bytes: fixed line ends, exact numbers and neutralised text."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            out[column] = out[column].map(neutralise_formula)
    # pandas calls float_format with floats only; pandas-stubs asks for a Callable[[object], str].
    float_format = cast("Callable[[object], str]", exact_number)
    return out.to_csv(index=False, lineterminator="\n", float_format=float_format).encode("utf-8")


def atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """Write beside the target then rename, so readers see old or new, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        # mkstemp makes the file private; published files are for everyone to read.
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def write_csv(frame: pd.DataFrame, path: Path | str) -> None:
    atomic_write_bytes(path, frame_to_csv_bytes(frame))


def write_json(obj: object, path: Path | str) -> None:
    text = json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


# Codes that look like numbers but are not ("008" is Albania's ISO numeric code).
_TEXT_COLUMNS = {"numeric": "string", "iso2": "string", "iso3": "string", "country_iso2": "string"}


def read_processed(path: Path | str) -> pd.DataFrame:
    """Read a table this pipeline wrote; codes stay text, other types are inferred.

    keep_default_na=False: "NA" is Namibia's code, not a missing value.
    Text cells get back what ``frame_to_csv_bytes`` neutralised for spreadsheets.
    """
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""], dtype=_TEXT_COLUMNS)
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(restore_formula)
    return frame


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def once_per_content(cache: dict[tuple[Any, ...], T], paths: Iterable[Path | str], make: Callable[[], T]) -> T:
    """``make()`` once per process for the same bytes of ``paths``; later calls get the kept result.

    Pipeline jobs run as threads of one process and many read the same inputs
    (sources.csv, the method file): each is checked once. A changed file has a
    new hash, so it is checked again. Callers hand out copies of what is kept.
    """
    key = tuple((str(Path(p).resolve()), sha256_file(p) if Path(p).exists() else None) for p in paths)
    if key not in cache:
        cache[key] = make()
    return cache[key]


def iter_files(root: Path | str, pattern: str = "*") -> Iterator[Path]:
    """Files under root in a stable order (sorted by relative path)."""
    root = Path(root)
    yield from sorted((p for p in root.rglob(pattern) if p.is_file()), key=lambda p: p.relative_to(root).as_posix())


def tree_hash(root: Path | str, pattern: str = "*") -> str:
    """One hash for a folder's files and names; stable across machines."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in iter_files(root, pattern):
        digest.update(path.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(sha256_file(path).encode("ascii") + b"\n")
    return digest.hexdigest()
