"""Reading HURIDOCS Uwazi exports: entity JSON from the Uwazi API (json.py), and Uwazi's CSV export and import
files (csv.py), against the collection's templates and thesauri (schema.py).

FOOTPRINTS (nkfootprints.info) runs on Uwazi, as do many human-rights archives. The readers check and type
every value by its property's type (dates as Unix seconds, selects as thesaurus terms, …) and say where a
bad one is; they mint no IRIs: that is `footprints_graph.convert.uwazi`'s job. Formats as Uwazi (commit
849f7d97) writes them.
"""

from footprints_graph.records.uwazi.csv import read_uwazi_csv
from footprints_graph.records.uwazi.json import read_uwazi_json
from footprints_graph.records.uwazi.schema import (
    PROPERTY_TYPES,
    DateRange,
    EntityRef,
    GeoPoint,
    Link,
    NestedRow,
    Term,
    UwaziEntity,
    UwaziExport,
    UwaziProperty,
    UwaziSchema,
    UwaziTemplate,
    UwaziThesaurus,
    Value,
    observed_thesauri,
    read_uwazi_schema,
    safe_name,
    shared_ids_by_title,
)

__all__ = [
    "PROPERTY_TYPES", "DateRange", "EntityRef", "GeoPoint", "Link", "NestedRow", "Term", "UwaziEntity", "UwaziExport",
    "UwaziProperty", "UwaziSchema", "UwaziTemplate", "UwaziThesaurus", "Value", "observed_thesauri", "read_uwazi_csv",
    "read_uwazi_json", "read_uwazi_schema", "safe_name", "shared_ids_by_title",
]
