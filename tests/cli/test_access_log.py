"""The server's access log (server.AccessLogger): the line gunicorn's default format makes, from only the atoms that
format names; a format that names a header or a WSGI variable in braces gets gunicorn's every atom."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import requests
from gunicorn.config import Config
from gunicorn.glogging import Logger, SafeAtoms

from footprints_graph.server import AccessLogger
from support.serving import serving

ENVIRON = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "RAW_URI": "/id/person/a?x=1",
           "SERVER_PROTOCOL": "HTTP/1.1", "PATH_INFO": "/id/person/a", "QUERY_STRING": "x=1",
           "HTTP_REFERER": "https://example.org/\"quoted\"", "HTTP_USER_AGENT": "probe/1",
           "HTTP_AUTHORIZATION": "Basic dXNlcjpwYXNz", "HTTP_ACCEPT": "text/turtle", "wsgi.url_scheme": "http",
           "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000"}
REQUEST = SimpleNamespace(headers=[("ACCEPT", "text/turtle"), ("USER-AGENT", "probe/1")])
RESPONSE = SimpleNamespace(status="200 OK", sent=1234, headers=[("Content-Type", "text/turtle"), ("Vary", "Accept")])
TOOK = timedelta(microseconds=2500)


def loggers(access_log_format: str | None = None) -> tuple[Logger, Logger]:
    config = Config()
    if access_log_format:
        config.set("access_log_format", access_log_format)
    ours, gunicorns = AccessLogger(config), Logger(config)
    ours.now = gunicorns.now = lambda: "[06/Dec/2026:13:00:00 +0000]"  # the same second for both
    return ours, gunicorns


def line(logger: Logger) -> str:
    atoms = SafeAtoms(logger.atoms(RESPONSE, REQUEST, ENVIRON, TOOK))
    return logger.cfg.access_log_format % atoms


def test_the_default_line_is_gunicorns():
    ours, gunicorns = loggers()
    assert line(ours) == line(gunicorns)
    assert line(ours) == ('127.0.0.1 - user [06/Dec/2026:13:00:00 +0000] "GET /id/person/a?x=1 HTTP/1.1" 200 1234 '
                          '"https://example.org/\\"quoted\\"" "probe/1"')


@pytest.mark.parametrize("atom", list("hlutrsmUqHbBfaTDMLp"))
def test_every_atom_without_braces_is_gunicorns(atom):
    ours, gunicorns = loggers(f"%({atom})s")
    assert line(ours) == line(gunicorns)


def test_a_format_naming_headers_gets_every_atom():
    ours, gunicorns = loggers('%(h)s "%({accept}i)s" %({content-type}o)s %({wsgi.url_scheme}e)s')
    assert ours.atoms(RESPONSE, REQUEST, ENVIRON, TOOK) == gunicorns.atoms(RESPONSE, REQUEST, ENVIRON, TOOK)
    assert line(ours) == '127.0.0.1 "text/turtle" text/turtle http'


def test_the_server_logs_each_request_in_the_default_format(built_home, tmp_path):
    log = tmp_path / "serve.log"
    with serving(built_home, log, ["--workers", "1"]) as (url, _):
        requests.get(f"{url}/health", headers={"User-Agent": "probe/2", "Referer": "https://example.org/r"},
                     timeout=20)
    assert re.search(r'^127\.0\.0\.1 - - \[[^]]+\] "GET /health HTTP/1\.1" 200 \d+ "https://example\.org/r" "probe/2"$',
                     log.read_text(), re.MULTILINE)
