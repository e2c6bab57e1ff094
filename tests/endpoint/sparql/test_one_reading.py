"""Issue 13, point 2: the guard and the engine read one query. The guard decides from lexer.py's tokens whether a
query calls a SERVICE, names a graph with FROM or LOADs; the engine (Oxigraph) does what its own parser reads. Here
queries are generated with comments ended by every line terminator there is (and by ones that end nothing),
\\u escapes in keywords, comments, strings and IRIs, keywords in any case, IRIs written out or through a declared
prefix, and strings whose escapes make quotes, and each is given to both: whenever the engine accepts a query,
the guard sees a SERVICE, a FROM or a LOAD exactly when the engine acts on one.

What the engine acts on is seen, not guessed: its SERVICE and LOAD connect to a loopback port that is bound but
not listening (refused at once: ConnectionRefusedError, nothing waits), and its FROM makes the one quad of a named
graph visible in the default graph."""

import socket

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from footprints_graph.cli import main
from footprints_graph.endpoint.sparql.lexer import QuerySyntaxError, QueryText

GRAPH = "http://example.org/graph"
LINE_ENDS = ["\n", "\r", "\r\n", "\\u000a", "\\u000d", "\\u000A", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]
COMMENT_TEXT = st.text(alphabet="ab #<>{}'\"\\u0027AD", max_size=8)
# strings and IRIs whose escapes stand for the characters that close them, or that look like comments
DECOYS = ["'\\u0027'", '"\\u0022"', "'''x'''", '"""y"""', "'a\\'b'", '"#"', "'<'", '"\\u000a"', "'\\u000d'",
          "<http://example.org/\\u003e>", "<http://example.org/#x>", "'''\\u0027'''", '"\\\\"', "1", "?x"]
PREFIXES = ["", "ex", "service", "from", "e\\u0078"]

settings.register_profile("one-reading", max_examples=400, derandomize=True, deadline=None)


@pytest.fixture(scope="module")
def refusing_url():
    """The URL of a loopback port that is bound and not listening: a connection to it is refused at once."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{bound.getsockname()[1]}/sparql"


@st.composite
def spacing(draw) -> str:
    """Spaces, line breaks and comments, each comment ended by a line terminator or by something that is not one."""
    pieces = st.one_of(st.sampled_from([" ", "\t", "\n", "\r", "\r\n"]),
                       st.builds(lambda text, end: f"#{text}{end}", COMMENT_TEXT, st.sampled_from(LINE_ENDS)))
    return " " + "".join(draw(st.lists(pieces, min_size=0, max_size=3))) + " "


@st.composite
def keyword(draw, word: str) -> str:
    """`word` in some case, or with one letter written as a \\u escape."""
    spelled = draw(st.sampled_from([word, word.lower(), word.capitalize()]))
    if draw(st.booleans()):
        index = draw(st.integers(0, len(word) - 1))
        spelled = f"{spelled[:index]}\\u{ord(spelled[index]):04X}{spelled[index + 1:]}"
    return spelled


@st.composite
def reference(draw, iri: str) -> tuple[str, str]:
    """A PREFIX declaration (or none) and `iri` written out, with an escape in it, or as a prefixed name."""
    way = draw(st.sampled_from(["written", "escaped", "prefixed"]))
    if way == "written":
        return "", f"<{iri}>"
    if way == "escaped":
        return "", f"<{iri[:-1]}\\u{ord(iri[-1]):04x}>"
    prefix = draw(st.sampled_from(PREFIXES))
    namespace, local = iri.rsplit("/", 1)
    return f"PREFIX {prefix}:{draw(spacing())}<{namespace}/>{draw(spacing())}", f"{prefix}:{local}"


def _service_query(draw, url: str) -> str:
    declaration, target = draw(reference(url))
    first, second = draw(st.sampled_from(DECOYS)), draw(st.sampled_from(DECOYS))
    gaps = [draw(spacing()) for _ in range(5)]
    return (f"{declaration}SELECT * WHERE {{{gaps[0]}BIND({first} AS ?a){gaps[1]}{draw(keyword('SERVICE'))}"
            f"{gaps[2]}{target}{gaps[3]}{{ ?s ?p ?o }}{gaps[4]}BIND({second} AS ?b) }}")


def _from_query(draw) -> str:
    declaration, target = draw(reference(GRAPH))
    first, second = draw(st.sampled_from(DECOYS)), draw(st.sampled_from(DECOYS))
    gaps = [draw(spacing()) for _ in range(4)]
    return (f"{declaration}SELECT ?s ({first} AS ?a){gaps[0]}{draw(keyword('FROM'))}{gaps[1]}{target}{gaps[2]}"
            f"WHERE {{ ?s ?p ?o{gaps[3]}BIND({second} AS ?b) }}")


def _load_update(draw, url: str) -> str:
    declaration, target = draw(reference(url))
    decoy = draw(st.sampled_from([d for d in DECOYS if d != "?x"]))
    gaps = [draw(spacing()) for _ in range(3)]
    return (f"{declaration}INSERT DATA {{ <http://example.org/s> <http://example.org/p> {decoy} }} ;{gaps[0]}"
            f"{draw(keyword('LOAD'))}{gaps[1]}{target}{gaps[2]}")


def guard_finds(text: str, keyword: str, modifier: str) -> bool:
    """Whether the guard finds `keyword` naming something (a reference it cannot read is refused: found too)."""
    try:
        return bool(QueryText(text).references(keyword, modifier))
    except QuerySyntaxError:
        return True


def engine_calls(store: ox.Store, text: str) -> bool | None:
    """Whether the engine connected out running `text` (None: it refused the text)."""
    try:
        results = store.query(text)
        list(results)
    except SyntaxError:
        return None
    except ConnectionRefusedError:
        return True
    return False


def engine_reads_from(store: ox.Store, text: str) -> bool | None:
    """Whether the engine took the named graph as the default graph (None: it refused the text)."""
    try:
        return bool(list(store.query(text)))
    except SyntaxError:
        return None


def engine_loads(text: str) -> bool | None:
    try:
        ox.Store().update(text)
    except SyntaxError:
        return None
    except ConnectionRefusedError:
        return True
    return False


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """One quad, in a named graph: the default graph is empty unless FROM names that graph."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o"), ox.NamedNode(GRAPH)))
    return store


@settings(settings.get_profile("one-reading"))
@given(data=st.data())
def test_the_guard_sees_a_service_exactly_when_the_engine_calls_one(data, store, refusing_url):
    query = _service_query(data.draw, refusing_url)
    called = engine_calls(store, query)
    if called is not None:
        assert guard_finds(query, "SERVICE", "SILENT") == called, query


@settings(settings.get_profile("one-reading"))
@given(data=st.data())
def test_the_guard_sees_a_from_exactly_when_the_engine_reads_one(data, store):
    query = _from_query(data.draw)
    read = engine_reads_from(store, query)
    if read is not None:
        assert guard_finds(query, "FROM", "NAMED") == read, query


@settings(settings.get_profile("one-reading"))
@given(data=st.data())
def test_the_guard_sees_a_load_exactly_when_the_engine_loads(data, refusing_url):
    update = _load_update(data.draw, refusing_url)
    loaded = engine_loads(update)
    if loaded is not None:
        assert ("LOAD" in QueryText(update).keywords) == loaded, update


def _hidden_services(url: str) -> dict[str, str]:
    return {
        "behind a comment ended by CR": f"SELECT * WHERE {{ # x\rSERVICE <{url}> {{ ?s ?p ?o }}\n }}",
        "between strings whose escapes make quotes":
            f"SELECT * WHERE {{ BIND('\\u0027' AS ?a) SERVICE <{url}> {{ ?s ?p ?o }} BIND('''x''' AS ?b) }}",
    }


@pytest.mark.parametrize("name", list(_hidden_services("")))
def test_the_reproducers_reach_the_engine_and_the_guard_refuses_them(name, store, refusing_url, client):
    """The issue's query and the one the fuzzing found: the engine would call out; the endpoint says 403."""
    query = _hidden_services(refusing_url)[name]
    assert engine_calls(store, query) is True
    response = client.get("/sparql", query_string={"query": query})
    assert response.status_code == 403 and "SERVICE" in response.text


@pytest.mark.parametrize("name", list(_hidden_services("")))
def test_the_query_command_refuses_them_too(name, refusing_url, built_home, capsys):
    assert main(["query", _hidden_services(refusing_url)[name], "--home", str(built_home)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and "SERVICE" in error
