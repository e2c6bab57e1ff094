"""What every view needs: the settings, the release being served, and the map from IRIs to local paths."""

from flask import current_app, request

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.linked_data.presentation import IriSpace
from footprints_graph.endpoint.sparql.backends import store_opener
from footprints_graph.releases.serving import Release, Releases


class Site:
    def __init__(self, config: EndpointConfig):
        self.config = config
        self.releases = Releases(config.home, store_opener(config), check_store=bool(config.store_url))
        self.space = IriSpace(config.base)

    def release(self) -> Release:
        return self.releases.current()

    def root(self) -> str:
        """The server's public URL without a trailing slash: configured, or the host the request was sent to."""
        return (self.config.public_url or request.host_url).rstrip("/")


def current_site() -> Site:
    """The Site of the application handling the current request."""
    return current_app.extensions["footprints"]
