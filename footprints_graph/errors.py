"""The errors the library raises; the CLI and the HTTP layer translate them at the edges."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    """Where a value came from: file, line (1-based, the header is line 1), record key, field."""

    file: str
    line: int | None = None
    record: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        place = self.file if self.line is None else f"{self.file}:{self.line}"
        details = [f"record {self.record!r}" if self.record else "", f"field {self.field!r}" if self.field else ""]
        return ", ".join([place, *filter(None, details)])


class FootprintsError(Exception):
    """Base class of every error the library raises on purpose."""


class RecordError(FootprintsError):
    """A record that cannot be read or converted; says what is wrong and where."""

    def __init__(self, origin: Origin, problem: str):
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class RecordErrors(RecordError):
    """Several records that cannot be read or converted, gathered so that one run lists every mistake; the
    first one's origin and problem stand for all of them."""

    def __init__(self, errors: list[RecordError]):
        self.errors = sorted(errors, key=lambda e: (e.origin.file, e.origin.line or 0))  # as a reader goes through
        super().__init__(self.errors[0].origin, self.errors[0].problem)
        self.args = (f"{len(errors)} problems in the record tables:\n  " + "\n  ".join(map(str, self.errors)),)


class RecordProblems:
    """Record errors gathered as a conversion goes on, instead of stopping at the first."""

    def __init__(self) -> None:
        self.errors: list[RecordError] = []

    def add(self, error: RecordError) -> None:
        self.errors += error.errors if isinstance(error, RecordErrors) else [error]

    def raise_any(self) -> None:
        """Raise the one error as it is, or several as one RecordErrors."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise RecordErrors(self.errors)


class BuildError(FootprintsError):
    """A build that stopped; the previous store and dumps are left as they were."""


class UnsupportedConstraint(FootprintsError):
    """A SHACL construct (constraint component, target, path, severity) the SPARQL validation engine does not
    check; the message names the construct and the shape that uses it."""
