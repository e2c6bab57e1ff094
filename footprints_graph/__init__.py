"""footprints-graph: FOOTPRINTS records on South Korean victims of North Korea as sourced linked data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("footprints-graph")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"
