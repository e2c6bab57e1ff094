"""Errors cross module edges as FootprintsError subclasses only (issue 16), so the edges translate them: the
command into exit codes, the endpoint into HTTP statuses. Every exception class the package defines is checked."""

import importlib
import inspect
import pkgutil

import pytest

import footprints_graph
from footprints_graph.errors import FootprintsError
from footprints_graph.hardening import OutboundConnectionRefused
from footprints_graph.iris import KeyError_
from footprints_graph.releases.serving import NoRelease
from footprints_graph.vocab import UnknownConcept

# Raised and translated inside one module or wing, never seen by an edge of another: the reason for each.
WITHIN_ONE_WING = {
    "footprints_graph.endpoint.reconcile.BadRequest": "reconcile.py raises it and answers it (its status) itself",
    "footprints_graph.endpoint.sparql.lexer.QuerySyntaxError": "the guard and the protocol turn it into a 400",
    "footprints_graph.endpoint.sparql.evaluation.QueryFailed": "the endpoint answers it as a server fault (500)",
    "footprints_graph.errors.Problem": "convert/values.py raises it, convert/records.py wraps it in a RecordError",
}


def _exception_classes():
    for module in pkgutil.walk_packages(footprints_graph.__path__, "footprints_graph."):
        if module.name == "footprints_graph.__main__":
            continue  # importing it runs the command; it defines nothing
        for name, value in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(value, BaseException) and value.__module__ == module.name:
                yield f"{module.name}.{name}", value


ERRORS = dict(_exception_classes())


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_every_error_of_the_package_is_a_footprints_error(name):
    assert issubclass(ERRORS[name], FootprintsError) or name in WITHIN_ONE_WING, f"{name} is not a FootprintsError"


def test_every_error_said_to_stay_within_one_wing_exists():
    assert set(WITHIN_ONE_WING) <= set(ERRORS)


@pytest.mark.parametrize("error, kept", [(KeyError_, ValueError), (UnknownConcept, LookupError),
                                         (OutboundConnectionRefused, PermissionError)])
def test_the_errors_made_footprints_errors_keep_the_kind_their_callers_catch(error, kept):
    """The converters catch a bad key as a ValueError; the code under the audit hook sees a refused connection."""
    assert issubclass(error, FootprintsError) and issubclass(error, kept)


def test_no_release_is_a_footprints_error_the_endpoint_answers_with_503():
    assert issubclass(NoRelease, FootprintsError)
