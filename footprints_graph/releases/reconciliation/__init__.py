"""Reconciliation over one release (W3C Entity Reconciliation CG, Reconciliation Service API 0.2): the name
index (index.py), candidate scoring and suggestions (matching.py), property values, data extension and
previews (properties.py). The HTTP side (manifest, JSONP, routes, the preview's HTML) is
`endpoint/reconcile.py`.

Entities are our persons (type `Victim` and the victim categories), organisations and source documents.
Everything comes from the store by SPARQL: one pass builds a name index per release (cached by the caller
under the build id), and each batch of queries, preview or extension asks only for the values of the
entities it concerns.
"""

from footprints_graph.releases.reconciliation.index import (
                                                            GENERIC_TYPES,
                                                            Entity,
                                                            Index,
                                                            ReconciliationError,
                                                            Type,
                                                            build_index,
)
from footprints_graph.releases.reconciliation.matching import (
                                                            label_score,
                                                            reconcile,
                                                            suggest_entities,
                                                            suggest_properties,
                                                            suggest_types,
)
from footprints_graph.releases.reconciliation.properties import (
                                                            PROPERTIES,
                                                            Preview,
                                                            Property,
                                                            Value,
                                                            date_bounds,
                                                            extend,
                                                            preview,
                                                            properties_for,
                                                            property_values,
                                                            propose_properties,
)

__all__ = ["GENERIC_TYPES", "PROPERTIES", "Entity", "Index", "Preview", "Property", "ReconciliationError", "Type",
           "Value", "build_index", "date_bounds", "extend", "label_score", "preview", "properties_for",
           "property_values", "propose_properties", "reconcile", "suggest_entities", "suggest_properties",
           "suggest_types"]
