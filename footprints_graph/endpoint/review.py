"""What a submission would change against the current release, for the curator who reviews it: the records it
adds, those it changes (statements the release does not hold), the warnings of its report, and the published
victims it likely duplicates, with the reconciliation matcher's scores."""

from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, URIRef

from footprints_graph import names
from footprints_graph.convert.contributions import uwazi_mapping_of
from footprints_graph.convert.linksets import LinkSetError, Mapping, read_link_set
from footprints_graph.endpoint.reconcile import ReconciliationService
from footprints_graph.endpoint.site import current_site
from footprints_graph.releases.reconciliation import reconcile
from footprints_graph.terms import to_rdflib
from footprints_graph.validate import ValidationReport, validate_submission
from footprints_graph.validate.render import report_json
from footprints_graph.validate.submission import existing_keys, read_submission
from footprints_graph.vocab import FP

DUPLICATE_CANDIDATES = 3


def review(files: list[Path], store: ox.Store | None, base: str) -> dict:
    """The changes, the report and the likely duplicates of the submission in `files`."""
    files, mapping = uwazi_mapping_of(files)
    submission = read_submission(files, existing_keys(store, base) if store is not None else {}, base, mapping).graph
    report = validate_submission(files, store, base, mapping)
    return {"changes": changes(submission, store, base), "report": report_json(report),
            "duplicates": duplicates(submission, base) if store is not None else []}


def review_link_set(files: list[Path], store: ox.Store | None, base: str) -> dict:
    """A submitted link set as the review shows a submission: its links, new or published already (in
    `changes`), with their predicate, confidence, authors and date; a link set has no shapes report nor
    duplicates. Raises LinkSetError if it no longer reads."""
    link_set = read_link_set(files[0])
    if link_set.problems:
        raise LinkSetError(link_set.problems)
    found: dict[str, list[dict]] = {"new": [], "changed": [], "unchanged": []}
    for mapping in link_set.mappings:
        published = _published(store, URIRef(mapping.subject))
        found["unchanged" if (URIRef(mapping.predicate), URIRef(mapping.object)) in published else "new"].append(
            _link_entry(mapping))
    return {"changes": found, "report": report_json(ValidationReport([])), "duplicates": [],
            "link_set": {"name": link_set.name, "graph": str(link_set.graph(base)), "mappings": len(link_set.mappings)}}


def _link_entry(mapping: Mapping) -> dict:
    return {"kind": "link", "record": f"{mapping.subject} {mapping.predicate} {mapping.object}",
            "subject": mapping.subject, "predicate": mapping.predicate, "object": mapping.object,
            "confidence": mapping.confidence, "authors": [*mapping.authors, *mapping.author_labels],
            "date": mapping.asserted.isoformat() if mapping.asserted else None}


def likely_duplicates(files: list[Path], store: ox.Store | None, base: str) -> list[dict]:
    """For the contributor: the published victims whose name the matcher holds the same name (names.py's
    decision rule) as a victim of the submission in `files`; the curator's review also shows the near misses."""
    if store is None:
        return []
    files, mapping = uwazi_mapping_of(files)
    found = duplicates(read_submission(files, existing_keys(store, base), base, mapping).graph, base)
    same_name = [{**d, "candidates": [c for c in d["candidates"] if c["score"] >= names.MATCH_THRESHOLD]} for d in found]
    return [d for d in same_name if d["candidates"]]


def changes(submission: Graph, store: ox.Store | None, base: str) -> dict[str, list[dict]]:
    """The records the submission describes, as new, changed (with the statements it adds) or unchanged."""
    found: dict[str, list[dict]] = {"new": [], "changed": [], "unchanged": []}
    for subject in sorted({s for s in submission.subjects(RDF.type) if isinstance(s, URIRef)}):
        ours = set(submission.predicate_objects(subject))
        published = _published(store, subject)
        entry = {"record": str(subject), "kind": str(subject).removeprefix(base).partition("/")[0]}
        if not published:
            found["new"].append(entry)
        elif ours - published:
            found["changed"].append({**entry, "adds": [[str(p), str(o)] for p, o in sorted(ours - published)]})
        else:
            found["unchanged"].append(entry)
    return found


def _published(store: ox.Store | None, subject: URIRef) -> set:
    if store is None:
        return set()
    quads = store.quads_for_pattern(ox.NamedNode(subject), None, None)
    return {(to_rdflib(q.predicate), to_rdflib(q.object)) for q in quads}


def duplicates(submission: Graph, base: str) -> list[dict]:
    """Per submitted victim, the published victims whose names the matcher finds alike, best first (the
    reconciliation service's index of the release being served, built once per release)."""
    store, index = ReconciliationService(current_site().release, base).served()
    queries = {str(v): {"query": str(submission.value(v, RDFS.label)), "type": "Victim",
                        "limit": DUPLICATE_CANDIDATES} for v in submission.subjects(RDF.type, FP.Victim)}
    answers = reconcile(store, index, queries) if queries else {}
    return [{"record": victim, "name": queries[victim]["query"],
             "candidates": [{"record": f"{base}{c['id']}", "name": c["name"], "score": c["score"]}
                            for c in answer["result"] if f"{base}{c['id']}" != victim]}
            for victim, answer in sorted(answers.items())]
