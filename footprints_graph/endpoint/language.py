"""Which language a page is in, and links that keep it.

A page is in the language its URL asks for (`?lang=ko`), else the one the browser prefers (Accept-Language),
else English. A language asked for in the URL is carried in every local link of the page, so that a reader
who switched stays in it; one that came from Accept-Language needs no carrying. UI strings come from the
message tables (messages/en.toml, ko.toml); labels from the graph are chosen by `label_in`.
"""

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flask import Blueprint, Response, g, request
from markupsafe import Markup

from footprints_graph.endpoint.messages import LANGUAGES, message, template

DEFAULT = "en"

blueprint = Blueprint("language", __name__)


def explicit_language() -> str | None:
    """The language the URL asks for, if it names one we have."""
    asked = request.args.get("lang", "")
    return asked if asked in LANGUAGES else None


def chosen_language() -> str:
    """The page's language, worked out once per request."""
    if "language" not in g:
        g.language = explicit_language() or request.accept_languages.best_match(LANGUAGES) or DEFAULT
    return g.language


def other_language(language: str) -> str:
    return next(code for code in LANGUAGES if code != language)


def link(target: str | None, **params) -> str:
    """A local `target` (path, query, fragment) with `params` set (None removes one) and the page's explicit
    language kept; anything not local is returned as it is."""
    if not target or not target.startswith("/"):
        return target or ""
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params and k != "lang"]
    query += [(k, v) for k, values in params.items() for v in _listed(values)]
    if "lang" not in params and (language := explicit_language()):
        query.append(("lang", language))
    return urlunsplit(("", "", parts.path, urlencode(query), parts.fragment))


def _listed(values) -> list:
    if values is None:
        return []
    return list(values) if isinstance(values, (list, tuple)) else [values]


def this_page_in(language: str) -> str:
    """The current page (its GET form) in another language."""
    path = request.full_path if request.method == "GET" else request.path
    return link(path.rstrip("?"), lang=language)


def label_in(term, language: str) -> list[tuple[str, str]]:
    """A TermView's labels as (text, language code): the one in `language` first (the other when it has none),
    then the other one if it differs."""
    labels = [(term.korean, "ko"), (term.text, "en")]
    found = [(text, code) for text, code in (labels if language == "ko" else labels[::-1]) if text]
    return found[:1] + [pair for pair in found[1:] if pair[0] != found[0][0]]


def markup(language: str, key: str, **values) -> Markup:
    """A UI string for a template: the message table is ours and may hold markup; the values filled in are
    escaped unless they are markup themselves (a link a macro made)."""
    return Markup(template(language, key)).format(**values)


@dataclass(frozen=True)
class Words:
    """UI strings and the graph's labels in one language: `words("home_title")`, `words.name(iri)`."""

    language: str
    presenter: object = None  # a presentation.Presenter holding the page's labels

    def __call__(self, key: str, **values) -> str:
        return message(self.language, key, **values)

    def name(self, iri: str) -> str:
        return label_in(self.presenter.iri(iri), self.language)[0][0]


@blueprint.app_context_processor
def page_language() -> dict:
    language = chosen_language()
    return {"lang": language, "other_lang": other_language(language), "explicit_lang": explicit_language()}


# Functions every template and macro may call (globals reach imported macros, context variables do not).
TEMPLATE_GLOBALS = {
    "_": lambda key, **values: markup(chosen_language(), key, **values),
    "label_in": lambda term: label_in(term, chosen_language()),
    "link": link,
    "this_page_in": this_page_in,
}


@blueprint.record_once
def _install_globals(state) -> None:
    state.app.jinja_env.globals.update(TEMPLATE_GLOBALS)


@blueprint.after_app_request
def declare_language(response: Response) -> Response:
    """HTML varies with Accept-Language; say so to caches, and say which language the page is in."""
    if response.mimetype == "text/html":
        response.vary.add("Accept-Language")
        response.headers["Content-Language"] = chosen_language()
    return response
