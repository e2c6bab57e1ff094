"""The pages for people: home with figures and charts, browse, search, the query editor, the query library,
the dumps, the validation report and the page that checks a submission; and the site that serves them beside
the endpoint.

    app = create_app(EndpointConfig(home=Path("var")))
"""

from flask import Flask

from footprints_graph import endpoint
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.web import browse, pages, review_page, search, submission_page, table_templates, validation_page
from footprints_graph.web.headers import SecurityHeaders

__all__ = ["EndpointConfig", "create_app"]


def create_app(config: EndpointConfig | None = None) -> Flask:
    """The whole site for the release under `config.home`: the endpoint's routes and the pages for people,
    with this package's templates and static files."""
    config = config or EndpointConfig()
    app = Flask(__name__)
    endpoint.install(app, config)
    for module in (pages, browse, search, validation_page, submission_page, table_templates):
        app.register_blueprint(module.blueprint)
    review_page.register(app, config)  # the curators' inbox, only with a curator token
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # outermost: answers from the cache get them too
    return app
