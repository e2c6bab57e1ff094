"""Python's cycle collector paused while a stage makes millions of small acyclic objects (rdflib and
pyoxigraph terms, triples, quads), which reference counting frees anyway: otherwise each full collection
walks all of them again (~40% of conversion time at 100k victims, ~25% of loading the validation store)."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
