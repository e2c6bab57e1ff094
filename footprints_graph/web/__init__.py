"""The pages for people: home with figures and charts, browse, search, the query editor, the query library,
the dumps, the validation report and the page that checks a submission; and the site that serves them beside
the endpoint.

    app = create_app(EndpointConfig(home=Path("var")))
"""

from flask import Flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket

from footprints_graph import endpoint
from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.web import browse, pages, review_page, search, submission_page, table_templates, validation_page
from footprints_graph.web.headers import SecurityHeaders

__all__ = ["EndpointConfig", "create_app"]


class CompiledTemplates(BytecodeCache):
    """The page templates as compiled by any app of this process, for the apps it makes later and the processes it
    forks: `serve`'s master compiles them before it forks its workers (server.share_before_fork) and a worker's app
    loads them from here in about 7 ms, where compiling took it about 200 ms of CPU that its first pages waited for.
    Jinja checks each against its template's source, so an edited template is compiled again."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def create_app(config: EndpointConfig | None = None) -> Flask:
    """The whole site for the release under `config.home`: the endpoint's routes and the pages for people,
    with this package's templates and static files."""
    config = config or EndpointConfig()
    app = Flask(__name__)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    endpoint.install(app, config)
    for module in (pages, browse, search, validation_page, submission_page, table_templates):
        app.register_blueprint(module.blueprint)
    review_page.register(app, config)  # the curators' inbox, only with a curator token
    app.wsgi_app = SecurityHeaders(app.wsgi_app)  # outermost: answers from the cache get them too
    return app
