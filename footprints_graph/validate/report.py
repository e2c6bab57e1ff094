"""The one report model of validation, shared by both engines: each finding a typed `ValidationResult`, all
of them one `ValidationReport`; the SHACL report graph, the text and the JSON forms are derived from it
(render.py). The errors validation raises live here too."""

from dataclasses import dataclass, field
from enum import Enum

from rdflib.namespace import SH
from rdflib.term import Node

from footprints_graph.errors import BuildError, FootprintsError


class Severity(Enum):
    """SHACL's severities, worst first."""

    VIOLATION = SH.Violation
    WARNING = SH.Warning
    INFO = SH.Info

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


@dataclass(frozen=True)
class ValidationResult:
    """One finding. `record` is the record the focus node belongs to (a listing belongs to its victim's);
    `path` is the shape's property path (an IRI, or a path node of the shapes graph)."""

    severity: Severity
    focus_node: Node
    path: Node | None
    value: Node | None
    message: str
    source_shape: Node
    record: Node
    message_ko: str = ""
    constraint_component: Node | None = None


@dataclass(frozen=True)
class ValidationReport:
    """Every result of one validation; `origins` says where a record came from (file and line), if known."""

    results: list[ValidationResult]
    origins: dict[Node, str] = field(default_factory=dict)

    def of(self, severity: Severity) -> list[ValidationResult]:
        return [r for r in self.results if r.severity is severity]

    @property
    def violations(self) -> list[ValidationResult]:
        return self.of(Severity.VIOLATION)

    @property
    def warnings(self) -> list[ValidationResult]:
        return self.of(Severity.WARNING)

    @property
    def infos(self) -> list[ValidationResult]:
        return self.of(Severity.INFO)

    @property
    def conforms(self) -> bool:
        """True when nothing is wrong; warnings and infos are allowed: the build's gate and the CLI's exit
        code. The SHACL report says `shacl_conforms`."""
        return not self.violations

    @property
    def shacl_conforms(self) -> bool:
        """SHACL's sh:conforms: true only when there is no result at all, of any severity (SHACL 3.1)."""
        return not self.results

    def counts(self) -> dict:
        return {"conforms": self.conforms, **{f"{s.label.lower()}s": len(self.of(s)) for s in Severity}}


class ValidationFailed(BuildError):
    """The records break rules whose severity is sh:Violation; `report` holds every result."""

    def __init__(self, report: ValidationReport):
        self.report = report
        super().__init__(f"validation found {len(report.violations)} violation(s); nothing was written")


class SubmissionError(FootprintsError):
    """A submission file that cannot be read: missing, of an unknown kind, or not parseable."""
