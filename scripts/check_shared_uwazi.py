#!/usr/bin/env python3
"""Check the package's Uwazi readers and converter on the real Uwazi sample files (written by the Uwazi project,
huridocs/uwazi commit 849f7d97; their README.md says where each comes from), kept beside the repository in
../shared/uwazi-samples, which a clone does not have.

The tests read fixtures of our own modelled on Uwazi's format (tests/data/uwazi/); this script reads Uwazi's
own files with footprints_graph.records.uwazi, converts the exports with footprints_graph.convert.uwazi and the
mapping tests/data/uwazi-samples-mapping.toml, and checks the counts: every entity read, one record per
sharedId with that sharedId in its IRI, triples in every record, the CSV export naming the JSON's entities and
adding no triple the JSON lacks, every row of an import file read. Every file of the folder must have a check
here (or a reason in NOT_READ), so that a new sample is not silently skipped.

Exit 0 when every check holds, 1 when one does not. Without the folder: exit 1 under CI=true, otherwise exit 0
saying the check did not run."""

import argparse
import csv
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

from rdflib import Literal

from footprints_graph.convert.uwazi import convert_uwazi, load_mapping
from footprints_graph.errors import RecordError
from footprints_graph.iris import mint
from footprints_graph.records.uwazi import (
    UwaziExport,
    UwaziProperty,
    UwaziSchema,
    UwaziTemplate,
    observed_thesauri,
    read_uwazi_csv,
    read_uwazi_json,
    read_uwazi_schema,
    shared_ids_by_title,
)
from footprints_graph.vocab import FP

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "uwazi-samples"
MAPPING = ROOT / "tests" / "data" / "uwazi-samples-mapping.toml"
# Files of the folder that the package has no reader for, and why.
NOT_READ = {
    "README.md": "the description of the samples",
    "thesaurus-test.csv": "a thesaurus import file: the package reads thesauri from JSON (/api/dictionaries) only",
}


def import_template(name: str, *properties: tuple[str, str, str]) -> UwaziTemplate:
    """The template an import file is loaded into: (name, label, type) per property. Uwazi keeps these templates
    in its test code, not in the samples."""
    return UwaziTemplate(name, name, tuple(UwaziProperty(None, n, label, kind) for n, label, kind in properties))


# The import files, their templates (for test.csv transcribed from Uwazi's app/api/csv/specs/csvLoaderFixtures.ts,
# for the other two made up from their headers) and the collection's date format.
IMPORTS = {
    "test.csv": (import_template(
        "base template", ("text_label", "text label", "text"), ("header_with_dots", "header.with. dots", "text"),
        ("numeric_label", "numeric label", "numeric"), ("select_label", "Select Label", "select"),
        ("geolocation_geolocation", "geolocation", "geolocation"), ("auto_id", "Auto ID", "generatedid"),
        ("additional_tag_s_", "additional tag(s)", "text"), ("multi_select_label", "Multi Select Label", "multiselect"),
        ("date_label", "Date label", "date"), ("language", "Language", "text")), "dd/MM/yyyy"),
    "arrangeThesauriTest.csv": (import_template(
        "arrange", ("unrelated_property", "unrelated property", "text"), ("select_property", "Select Property", "select"),
        ("multiselect_property", "Multiselect Property", "multiselect"),
        ("no_new_value_select", "no new value select", "select")), "YYYY/MM/DD"),
    "zipData/languages/import.csv": (import_template(
        "zip", ("text_label", "text label", "text"), ("select_label", "select label", "select")), "YYYY/MM/DD"),
}


class CheckFailed(Exception):
    """A count or a fact of a sample file that is not what it should be."""


def expect(condition: bool, problem: str) -> None:
    if not condition:
        raise CheckFailed(problem)


def load(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- checks, one per sample file


def check_schema(folder: Path) -> str:
    schema = read_uwazi_schema(folder / "templates.json", folder / "dictionaries.json")
    templates, thesauri = len(load(folder / "templates.json")), len(load(folder / "dictionaries.json"))
    expect(len(schema.templates) == templates > 0, f"{len(schema.templates)} templates read of {templates}")
    expect(len(schema.thesauri) == thesauri > 0, f"{len(schema.thesauri)} thesauri read of {thesauri}")
    return f"{templates} templates, {thesauri} thesauri"


def check_converted(export: UwaziExport, raw_entities: list[dict]) -> str:
    """Every entity read, one record per sharedId whose IRI and fp:uwaziSharedId carry it, triples in each."""
    expect(len(export.entities) == len(raw_entities), f"{len(export.entities)} entities read of {len(raw_entities)}")
    mapping = load_mapping(MAPPING)
    records = convert_uwazi(export, mapping)
    shared_ids = list(dict.fromkeys(e["sharedId"] for e in raw_entities))
    subjects = [r.subject for r in records]
    expect(subjects == [mint("uwazi", f"{mapping.collection}.{s}") for s in shared_ids],
           f"record IRIs {subjects} are not those of the sharedIds {shared_ids}")
    for record, shared_id in zip(records, shared_ids, strict=True):  # as many: the subjects were checked above
        expect((record.subject, FP.uwaziSharedId, Literal(shared_id)) in record.triples,
               f"{record.subject} does not state its sharedId {shared_id}")
        expect(len(record.triples) > 5, f"{record.subject} has only {len(record.triples)} triples")
    triples = sum(len(r.triples) for r in records)
    return f"{len(export.entities)} entities, {len(records)} records, {triples} triples"


def check_entities(folder: Path) -> str:
    schema = read_uwazi_schema(folder / "templates.json", folder / "dictionaries.json")
    raw = load(folder / "entities.sample.json")["entities"]
    return check_converted(read_uwazi_json(folder / "entities.sample.json", schema), raw)


def check_search_results(folder: Path) -> str:
    raw = load(folder / "exportCsvFixtures.json")["searchResults"]["rows"]
    return check_converted(read_uwazi_json(folder / "exportCsvFixtures.json", language="en"), raw)


def check_csv_export(folder: Path) -> str:
    """The CSV export of the search results: the same entities; what it says, the JSON says too."""
    search = read_uwazi_json(folder / "exportCsvFixtures.json", language="en")
    schema = replace(search.schema, thesauri=observed_thesauri(search) | dict(search.schema.thesauri))
    export = read_uwazi_csv(folder / "exportCsvFixtures.csvExample.csv", schema, date_format="YYYY-MM-DD",
                            shared_ids=shared_ids_by_title(search))
    titles = [e.title for e in export.entities]
    expect(titles == [e.title for e in search.entities], f"titles {titles} are not those of the JSON")
    mapping = load_mapping(MAPPING)
    from_csv = {t for r in convert_uwazi(export, mapping) for t in r.triples}
    from_json = {t for r in convert_uwazi(search, mapping) for t in r.triples}
    expect(bool(from_csv) and not from_csv - from_json, f"{len(from_csv - from_json)} triples the JSON does not have")
    return f"{len(export.entities)} entities, {len(from_csv)} triples, all in the JSON's {len(from_json)}"


def check_front_end_entity(folder: Path) -> str:
    """A front-end fixture, not an export (no sharedId, a link that is not a URL): read, not converted."""
    raw = load(folder / "metadataHelpersFixtures.json")
    template = next(t for t in raw["templates"] if t["_id"] == raw["doc"]["template"])
    previews = {p["name"] for p in template["properties"] if p["type"] == "preview"}
    with_values = {name for name, values in raw["doc"]["metadata"].items() if values and name not in previews}
    entity, = read_uwazi_json(folder / "metadataHelpersFixtures.json").entities
    expect(set(entity.metadata) == with_values, f"properties read {sorted(entity.metadata)}, not {sorted(with_values)}")
    types = {entity.template.property(name).type for name in entity.metadata}
    return f"1 entity, {len(entity.metadata)} properties of {len(types)} types"


def check_import(folder: Path, name: str) -> str:
    """Every data row of an import file gives an entity in the default language."""
    template, date_format = IMPORTS[name]
    path = folder / name
    export = read_uwazi_csv(path, UwaziSchema({template.id: template}, {}), template.name, date_format=date_format)
    rows = data_rows(path)
    lines = [e.origin.line for e in export.entities if e.language == "en"]
    expect(len(lines) == rows > 0, f"{len(lines)} entities in the default language of {rows} rows")
    languages = sorted({e.language for e in export.entities})
    return f"{rows} rows, {len(export.entities)} entities ({', '.join(languages)})"


def data_rows(path: Path) -> int:
    """The rows after the header with a value in some cell."""
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    rows = [cells for cells in csv.reader(text.splitlines(), delimiter=delimiter) if any(c.strip() for c in cells)]
    return len(rows) - 1


CHECKS: dict[str, Callable[[Path], str]] = {
    "templates.json": check_schema,
    "dictionaries.json": check_schema,
    "entities.sample.json": check_entities,
    "exportCsvFixtures.json": check_search_results,
    "exportCsvFixtures.csvExample.csv": check_csv_export,
    "metadataHelpersFixtures.json": check_front_end_entity,
    **{name: (lambda folder, name=name: check_import(folder, name)) for name in IMPORTS},
}


# ---------------------------------------------------------------- running them


def check(folder: Path) -> Iterator[tuple[str, str | None, str]]:
    """(file, problem or None, summary) for every file of the folder."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    for name in files:
        if name in NOT_READ:
            yield name, None, f"not read ({NOT_READ[name]})"
        elif name not in CHECKS:
            yield name, "no check for this file: add one to scripts/check_shared_uwazi.py", ""
        else:
            yield name, *run(CHECKS[name], folder)
    for name in sorted(set(CHECKS) - set(files)):
        yield name, "missing from the folder", ""


def run(one_check: Callable[[Path], str], folder: Path) -> tuple[str | None, str]:
    try:
        return None, one_check(folder)
    except (RecordError, CheckFailed) as error:
        return str(error), ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("samples", nargs="?", type=Path, default=SAMPLES,
                        help=f"the folder of Uwazi sample files (default: {SAMPLES})")
    folder = parser.parse_args(argv).samples
    if not folder.is_dir():
        if os.environ.get("CI") == "true":
            print(f"error: no Uwazi sample files at {folder}; CI needs them (put the uwazi-samples folder there, "
                  "or give its path)", file=sys.stderr)
            return 1
        print(f"check_shared_uwazi: not run, no Uwazi sample files at {folder}")
        return 0
    results = list(check(folder))
    for name, problem, summary in results:
        print(f"{name}: FAILED: {problem}" if problem else f"{name}: {summary}", file=sys.stderr if problem else sys.stdout)
    failed = sum(problem is not None for _, problem, _ in results)
    print(f"check_shared_uwazi: {len(results)} file(s), {failed} failed, in {folder}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
