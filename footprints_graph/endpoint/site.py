"""What every view needs: the settings, the release being served, and the map from IRIs to local paths."""

import os
from functools import lru_cache

from flask import current_app, request
from werkzeug.wsgi import get_current_url

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.sparql.backends import store_opener
from footprints_graph.releases.serving import Release, Releases


class Site:
    def __init__(self, config: EndpointConfig):
        self.config = config
        self.releases = Releases(config.home, store_opener(config), check_store=bool(config.store_url))
        self.space = IriSpace(config.base)
        self._opened: tuple[str, Release] | None = None  # the link's text and the release it named
        self._link = str(config.home / "current")  # read on every request: joined once

    def release(self) -> Release:
        """The release `current` links to: the one opened before while the link still names it (one system call,
        where following the link to its folder took several, three times in each request)."""
        try:
            link = self.current_link()
        except OSError:  # no release yet, or not a link: Releases says what is wrong
            return self.releases.current()
        opened = self._opened
        if opened is None or opened[0] != link or opened[1].pid != os.getpid():
            opened = self._opened = (link, self.releases.current())
        return opened[1]

    def current_link(self) -> str:
        """What `current` links to: the current release's folder, named by its build id (one system call). Raises
        OSError when there is no release yet."""
        return os.readlink(self._link)

    def root(self, environ: dict | None = None) -> str:
        """The server's public URL without a trailing slash: configured, or the host the request being answered was
        sent to (`environ`'s, before Flask: sparql/stored.py)."""
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        environ = environ or request.environ
        return host_url(*(environ.get(name) for name in HOST_URL_PARTS))


HOST_URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT")  # all werkzeug's get_host reads


@lru_cache(maxsize=256)
def host_url(*parts: str | None) -> str:
    """The scheme and host a request was sent to, as werkzeug reads them (Flask's `request.host_url`), from the
    environ's HOST_URL_PARTS: kept by them, as clients send the same few over and over and reading them took 10 µs a
    request (0.5 µs kept). Raises werkzeug's SecurityError for a Host that
    is not a host name."""
    environ = {name: value for name, value in zip(HOST_URL_PARTS, parts, strict=True) if value is not None}
    return get_current_url(environ, host_only=True).rstrip("/")


def current_site() -> Site:
    """The Site of the application handling the current request."""
    return current_app.extensions["footprints"]
