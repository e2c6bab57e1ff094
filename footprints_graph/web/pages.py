"""The other pages: home, the query library, the dumps, the validation report and the VoID description."""

import json
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_from_directory

from footprints_graph.endpoint.language import chosen_language
from footprints_graph.endpoint.linked_data.routes import Representation, respond
from footprints_graph.endpoint.linked_data.void import (
    DESCRIPTION_PREFIXES,
    Publisher,
    dumps,
    served_release_description,
    statistics,
    void_triples,
)
from footprints_graph.endpoint.site import current_site
from footprints_graph.endpoint.sparql.library import library, library_query
from footprints_graph.endpoint.sparql.protocol import best_match
from footprints_graph.web.home import home_model

blueprint = Blueprint("pages", __name__)
VALIDATION_FILES = {"text/turtle": "validation.ttl", "application/json": "validation.json"}


@blueprint.route("/")
def home() -> str:
    site = current_site()
    release = site.release()
    model = home_model(release, site.space, site.config.base, chosen_language())
    return render_template("home.html", model=model, release=release, queries=library(site.config.base))


@blueprint.route("/queries")
def queries() -> str:
    return render_template("queries.html", queries=library(current_site().config.base))


@blueprint.route("/queries/<name>")
def query_page(name: str) -> Response | str:
    if name.endswith(".rq"):
        return Response(_library_query(name.removesuffix(".rq")).text, content_type="application/sparql-query; charset=utf-8")
    return render_template("query.html", query=_library_query(name))


def _library_query(name: str):
    try:
        return library_query(name, current_site().config.base)
    except KeyError:
        abort(404, description=f"There is no library query called {name!r}; see /queries for the list.")


@blueprint.route("/dumps/")
def dump_index() -> str:
    return render_template("dumps.html", dumps=dumps(current_site().release()))


@blueprint.route("/release.json")
def release_description() -> Response:
    """The current release as a version of the dataset (DCAT in JSON-LD), with absolute dump URLs."""
    site = current_site()
    described = served_release_description(site.release(), site.root(), site.config.base, _publisher())
    return Response(json.dumps(described, indent=2, sort_keys=True), content_type="application/ld+json")


@blueprint.route("/dumps/<name>")
def dump(name: str) -> Response:
    release = current_site().release()
    known = {d.name: d for d in dumps(release)}
    if name not in known:
        abort(404, description=f"There is no dump called {name!r}; see /dumps/ for the list.")
    return send_from_directory(release.path / "dumps", name, mimetype=known[name].media_type, etag=True,
                               max_age=300, conditional=True)


@blueprint.route("/validation", defaults={"extension": None})
@blueprint.route("/validation.<extension>")
def validation(extension: str | None) -> Response | str:
    release = current_site().release()
    present = {t: f for t, f in VALIDATION_FILES.items() if (release.path / f).is_file()}
    if not present:
        abort(404, description="No validation report for this release yet: the report (validation.ttl, "
                               "validation.json) is written into the release folder by the build's validation "
                               "step. Run `footprints-graph build` again once validation is in place.")
    if extension:
        wanted = next((t for t, f in present.items() if f == f"validation.{extension}"), None) or abort(404)
    else:
        wanted = best_match(request.accept_mimetypes, ["text/html", *present]) or abort(406)
    if wanted == "text/html":
        report = (release.path / "validation.ttl").read_text(encoding="utf-8") if "text/turtle" in present else None
        return render_template("validation.html", report=report, files=present.values(), build_id=release.build_id,
                               summary=_report_by_record(release.path / present.get("application/json", "-")))
    return send_from_directory(release.path, present[wanted], mimetype=wanted, conditional=True)


def _report_by_record(path: Path) -> dict | None:
    """The JSON report (validate.report_json) when it lists records, for the page to show them grouped."""
    report = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    return report if "records" in report else None


@blueprint.route("/.well-known/void", defaults={"extension": None})
@blueprint.route("/.well-known/void.<extension>")
def void(extension: str | None) -> Response:
    site = current_site()
    release, root = site.release(), site.root()
    triples = void_triples(release, root, site.config.base, _publisher())
    page = lambda: render_template("void.html", stats=statistics(release), dumps=dumps(release),  # noqa: E731
                                   release=release, root=root)
    return respond(Representation(f"{root}/.well-known/void", "/.well-known/void", lambda: triples, page,
                                  DESCRIPTION_PREFIXES), extension)


def _publisher() -> Publisher:
    config = current_site().config
    return Publisher(config.publisher, config.contact)
