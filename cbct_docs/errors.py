"""One exception base for everything that can go wrong with input, templates or output.

The CLI turns a :class:`CbctError` into ``Error: <location>: <what> (<hint>)`` in one
place (``cbct_docs.cli``). Library code never prints; it raises, or collects many
problems in a :class:`Problems` and raises them together as a :class:`ProblemList`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


class CbctError(Exception):
    """Base of all expected failures. ``exit_code`` 1: data or template; 2: usage."""

    exit_code = 1

    def __init__(self, what: str, *, location: Any = None, hint: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.location = str(location) if location is not None else None
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.location}: {self.what}" if self.location else self.what
        return f"{text} ({self.hint})" if self.hint else text

    def at(self, location: Any) -> CbctError:
        """Prefix a location (outermost first), e.g. a record's origin before a template's."""
        if location is not None:
            self.location = f"{location}: {self.location}" if self.location else str(location)
        return self

    def messages(self) -> list[str]:
        return [str(self)]


class UsageError(CbctError):
    """The command was called wrongly (bad option, missing file)."""

    exit_code = 2


class DataError(CbctError):
    """A record, cell or value is wrong."""


class TemplateError(CbctError):
    """A template cannot be read, parsed or rendered."""


class SandboxError(TemplateError):
    """A template reached for something the sandbox forbids."""


class OutputError(CbctError):
    """Output cannot be written (exists already, read-only folder, disk full)."""


class DeliveryError(CbctError):
    """Sending or converting failed. A batch stopped by it carries what it had done so
    far (``report``, a deliver.sending.BatchReport) and, for a message given up on, that
    message's outcome (``outcome``)."""

    report: Any = None
    outcome: Any = None


class ProblemList(CbctError):
    """Many problems of one run, reported together."""

    def __init__(self, problems: Iterable[CbctError]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''}")
        self.exit_code = max((p.exit_code for p in self.problems), default=1)

    def __str__(self) -> str:
        return "\n".join(self.messages())

    def messages(self) -> list[str]:
        return [m for p in self.problems for m in p.messages()]


class Problems:
    """Collects problems so that a run reports all of them at once.

    >>> problems = Problems()
    >>> with problems.catch():
    ...     raise DataError("bad", location="a.csv:row 2")
    >>> len(problems)
    1
    """

    def __init__(self) -> None:
        self._items: list[CbctError] = []

    def add(self, error: CbctError) -> None:
        if isinstance(error, ProblemList):
            self._items.extend(error.problems)
        else:
            self._items.append(error)

    def extend(self, errors: Iterable[CbctError]) -> None:
        for error in errors:
            self.add(error)

    def catch(self) -> _Catcher:
        """Context manager: a CbctError raised inside is recorded, not propagated."""
        return _Catcher(self)

    def __len__(self) -> int:
        return len(self._items)

    def __bool__(self) -> bool:
        return bool(self._items)

    def __iter__(self) -> Iterator[CbctError]:
        return iter(self._items)

    def raise_if_any(self) -> None:
        if self._items:
            raise ProblemList(self._items)


class _Catcher:
    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def __enter__(self) -> _Catcher:
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> bool:
        if isinstance(exc, CbctError):
            self.problems.add(exc)
            return True
        return False
