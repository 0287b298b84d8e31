"""Errors that point a researcher at the exact cell to fix.

Every error a user should see derives from `TomasError`: `tomas` prints its
message and exits with its `exit_code`, no traceback. Anything else escaping
the command line is a bug and keeps its traceback.
"""

from __future__ import annotations

import os


class TomasError(Exception):
    """A problem the user can fix; the message says what and where."""

    exit_code = 1


def spreadsheet_row(index: object) -> int | None:
    """Data row index -> the line a spreadsheet shows (the header is line 1)."""
    try:
        # Any label comes here; int() refusing it (caught below) is the test.
        number: int = int(index)  # type: ignore[call-overload]
        return number + 2
    except (TypeError, ValueError):
        return None


class TomasInputError(TomasError, ValueError):
    """A problem in an input file, located to file, row and column.

    ``row`` is the 1-based line number in the file as a spreadsheet shows it
    (the header is line 1, the first data row line 2), so that a user can jump
    straight to it.
    """

    exit_code = 2
    # Set on the first error when it is raised for several found in one pass
    # (countries.Register.load), so a caller can list every bad cell.
    errors: list[TomasInputError]

    def __init__(
        self,
        file: str | os.PathLike[str],
        row: int | None,
        column: str | None,
        value: object,
        expected: str,
    ) -> None:
        self.file = str(file)
        self.row = row
        self.column = column
        self.value = value
        self.expected = expected
        super().__init__(self.message())

    def __reduce__(self) -> tuple[type[TomasInputError], tuple[object, ...]]:  # picklable, for the helper process
        return type(self), (self.file, self.row, self.column, self.value, self.expected)

    def message(self) -> str:
        where = self.file
        if self.row is not None:
            where += f", row {self.row}"
        if self.column is not None:
            where += f", column '{self.column}'"
        return f"{where}: got {self.value!r}; expected {self.expected}"


class TomasInputErrors(TomasError, ValueError):
    """Several input errors reported together, so one run shows them all."""

    exit_code = 2

    def __init__(self, errors: list[TomasInputError]) -> None:
        self.errors = list(errors)
        lines = [e.message() for e in self.errors]
        super().__init__(f"{len(lines)} input error(s):\n" + "\n".join(lines))

    def __reduce__(self) -> tuple[type[TomasInputErrors], tuple[object, ...]]:
        return type(self), (self.errors,)


class ParseError(TomasError, ValueError):
    """A value that a parser could not read; the caller adds file/row/column."""

    def __init__(self, value: object, expected: str) -> None:
        self.value = value
        self.expected = expected
        super().__init__(f"could not read {value!r}: expected {expected}")

    def __reduce__(self) -> tuple[type[ParseError], tuple[object, ...]]:
        return type(self), (self.value, self.expected)
