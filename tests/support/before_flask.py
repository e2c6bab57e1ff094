"""The site with its layer before Flask (endpoint/stored.py) and the same site without it, and what reaches Flask
behind the layer: shared by the tests that compare answers given before Flask with Flask's own
(endpoint/sparql/test_library_before_flask.py, test_query_before_flask.py)."""

from flask import Flask
from werkzeug.test import Client

from footprints_graph.endpoint.stored import StoredAnswers
from footprints_graph.web import EndpointConfig, create_app


class Reached:
    """The WSGI application behind the layer, noting the path of each request that reaches it."""

    def __init__(self, app):
        self.app, self.paths = app, []

    def __call__(self, environ, start_response):
        self.paths.append(environ["PATH_INFO"])
        return self.app(environ, start_response)


def _layer_holder(app: Flask):
    """The WSGI middleware whose `app` is the StoredAnswers layer."""
    holder = app.wsgi_app
    while not isinstance(holder.app, StoredAnswers):
        holder = holder.app
    return holder


def sites(home, **settings) -> tuple[Client, Client, Reached]:
    """The site with the layer (and what reaches Flask behind it), and the same site without the layer; the answer
    cache off unless `settings` say otherwise."""
    config = EndpointConfig(home=home, **({"cache_bytes": 0, "query_timeout": 10} | settings))
    layered, flask_only = create_app(config), create_app(config)
    layer = _layer_holder(layered).app
    layer.app = reached = Reached(layer.app)
    holder = _layer_holder(flask_only)
    holder.app = holder.app.app
    return layered.test_client(), flask_only.test_client(), reached


def answer(response) -> tuple:
    """What a client receives: the status, every header in order, the body."""
    return response.status, response.headers.to_wsgi_list(), response.data
