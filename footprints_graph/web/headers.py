"""The headers every answer of the site carries, whatever made it (a page, an error, a static file, an answer from
the cache): a Content-Security-Policy that runs scripts from this site's files only (the pages have no inline
script; the editor's library is a JSON data block, which CSP does not run), `nosniff`, so that an echo of the
request sent as text/plain is never read as HTML or script, no framing by other sites, and no query text in the
Referer sent to other hosts (a query can name a person).

OpenRefine shows a reconciliation preview in an iframe of its own page, so /reconcile/preview may be framed; its
style is inline, and scripts stay refused there too."""

from collections.abc import Callable, Iterable

POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
          "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
FRAMED_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
                 "form-action 'none'; frame-ancestors *")
FRAMED_PATHS = ("/reconcile/preview",)
COMMON = [("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin")]


def headers_for(path: str) -> list[tuple[str, str]]:
    if path in FRAMED_PATHS:
        return [("Content-Security-Policy", FRAMED_POLICY), *COMMON]
    return [("Content-Security-Policy", POLICY), ("X-Frame-Options", "DENY"), *COMMON]


class SecurityHeaders:
    """WSGI middleware: the headers of `headers_for` on every answer, replacing any of the same name."""

    def __init__(self, app: Callable):
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        added = headers_for(environ.get("PATH_INFO", ""))
        names = {name.lower() for name, _ in added}

        def with_headers(status: str, headers: list[tuple[str, str]], exc_info=None):
            kept = [(name, value) for name, value in headers if name.lower() not in names]
            return start_response(status, kept + added, exc_info)

        return self.app(environ, with_headers)
