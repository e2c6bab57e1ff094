"""The endpoint's settings, read from (lowest to highest precedence) built-in defaults, a TOML file,
FOOTPRINTS_* environment variables and command-line flags.

    # footprints.toml
    home = "/srv/footprints"
    base = "https://w3id.org/footprints-graph/id/"
    host = "127.0.0.1"
    port = 8000
    workers = 4
    threads = 8               # per worker (gunicorn gthread): a slow client holds a thread, not the worker
    query_timeout = 30        # seconds; 0 runs queries in the worker without a deadline
    query_memory = 512        # MB a query process may allocate beyond its worker's; more kills it (503); 0: none
    max_query_bytes = 100000
    public_url = "https://footprints.example.org"   # default: the host each request was sent to
    max_result_rows = 100000  # a larger SELECT / CONSTRUCT result is refused (400), never truncated; 0: no cap
    max_concurrent_queries = 6  # across all workers; more get 503 + Retry-After (default 8; 0: no cap)
    max_long_queries = 1      # of which may run past short_query_seconds; others are stopped then (default 2)
    short_query_seconds = 1   # the budget of every query before it needs one of those slots (default 1)
    max_upload_records = 500  # records (nodes described) one /validate upload may hold (default 1000)
    federation = ["https://query.wikidata.org/sparql"]  # the only endpoints SERVICE may call (default: none)
    curator_token = "…"       # enables /curator/ (restricted records) for `Authorization: Bearer …`; better
                              # given as $FOOTPRINTS_CURATOR_TOKEN than written here
    cache_bytes = 67108864    # answers kept per worker for repeated queries (exact; a new build misses); 0: none
    in_memory = false         # serve from a copy of the release in memory: faster queries, ~2 GB per 100k victims
    store_url = "http://127.0.0.1:8890/sparql"  # serve from this SPARQL server, loaded with `footprints-graph load`
    publisher = "…"           # who publishes this deployment, named in its DCAT description (default: nobody)
    contact = "mailto:…"      # its contact point, a mailto: or http(s) URL (default: none)
"""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from footprints_graph.errors import FootprintsError
from footprints_graph.iris import DEFAULT_BASE


class ConfigError(FootprintsError):
    """A setting that cannot be used: says which, where it came from and what is expected."""


class ContactURL(str):
    """Where to reach a deployment's publisher: a mailto: or http(s) URL."""

    def __new__(cls, value: str) -> "ContactURL":
        if not isinstance(value, str) or not value.startswith(("mailto:", "http://", "https://")):
            raise ValueError(value)
        return super().__new__(cls, value)


@dataclass(frozen=True)
class EndpointConfig:
    home: Path = Path("var")
    data: Path = Path("data")
    base: str = DEFAULT_BASE
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    threads: int = 8
    query_timeout: float = 30.0
    # MB; a query of 26 nested CONCATs reached 2.6 GB within its deadline (issue 13). Every library query answers
    # within 512 on 100,000 victims; with 8 query slots, queries hold at most 4 GB at once
    query_memory: int = 512
    max_query_bytes: int = 100_000
    public_url: str | None = None
    federation: tuple[str, ...] = ()  # SERVICE endpoints queries may call; none: no outbound requests at all
    max_result_rows: int = 100_000
    # Query slots (guard.QuerySlots): at most 8 queries at once, below workers × threads so that pages are served
    # while queries run; at most 2 of them past their first second, so that 6 slots are always for queries that
    # answer within it, whatever runaways are sent
    max_concurrent_queries: int = 8
    max_long_queries: int = 2
    short_query_seconds: float = 1.0
    max_upload_records: int = 1000  # an upload's checks grow with its records, some with their square
    curator_token: str | None = field(default=None, repr=False)  # a secret: never in a repr, a log or a page
    cache_bytes: int = 64 * 1024 * 1024
    in_memory: bool = False
    store_url: str | None = None
    # The DCAT description names a publisher and a contact point only when the deployment states them: the
    # records' sources do not say who publishes this graph.
    publisher: str | None = None
    contact: ContactURL | None = None

    def with_overrides(self, **values: Any) -> "EndpointConfig":
        return replace(self, **_typed({k: v for k, v in values.items() if v is not None}, "flags"))


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def _urls(value: Any) -> tuple[str, ...]:
    """A list of http(s) URLs: a TOML array, or one string of URLs separated by commas or spaces."""
    urls = tuple(value.replace(",", " ").split() if isinstance(value, str) else value)
    if not all(isinstance(u, str) and u.startswith(("http://", "https://")) for u in urls):
        raise ValueError(value)
    return urls


TYPES = {f.name: f.type for f in fields(EndpointConfig)}
CONVERTERS = {Path: Path, str: str, int: int, float: float, bool: _boolean, str | None: str,
              tuple[str, ...]: _urls, ContactURL | None: ContactURL}


def load_config(file: Path | None = None, environ: Mapping[str, str] | None = None,
                **flags: Any) -> EndpointConfig:
    """Defaults, then the TOML `file` (or $FOOTPRINTS_CONFIG), then FOOTPRINTS_* variables, then flags."""
    environ = os.environ if environ is None else environ
    file = file or (Path(environ["FOOTPRINTS_CONFIG"]) if environ.get("FOOTPRINTS_CONFIG") else None)
    config = EndpointConfig()
    if file:
        config = replace(config, **_typed(_read_toml(file), str(file)))
    config = replace(config, **_typed(_from_environment(environ), "the environment"))
    return config.with_overrides(**flags)


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the configuration file {file}: {error}") from error


def _from_environment(environ: Mapping[str, str]) -> dict[str, str]:
    return {name: environ[f"FOOTPRINTS_{name.upper()}"] for name in TYPES if f"FOOTPRINTS_{name.upper()}" in environ}


def _typed(values: Mapping[str, Any], origin: str) -> dict[str, Any]:
    unknown = sorted(set(values) - set(TYPES))
    if unknown:
        raise ConfigError(f"unknown setting(s) {', '.join(unknown)} in {origin}; known: {', '.join(TYPES)}")
    return {name: _convert(name, value, origin) for name, value in values.items()}


def _convert(name: str, value: Any, origin: str) -> Any:
    try:
        return CONVERTERS[TYPES[name]](value)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"setting {name}={value!r} from {origin} is not a valid {TYPES[name]}") from error
