"""The server's gunicorn worker (server.KeptConnectionWorker): the thread that answered a request on a kept-alive
connection waits briefly for the connection's next request instead of handing it back to the worker's main thread
each time. These tests hold it to gthread's promises: with one worker of one thread, a client that keeps its
connection open and says nothing, or closes it, never keeps another client waiting; requests sent together on one
connection are all answered, in order."""

import socket

import pytest
from gunicorn.workers.gthread import _DEFER

from footprints_graph.server import KeptConnectionWorker, WaitingRequests
from support.serving import serving

ONE_THREAD = {"FOOTPRINTS_THREADS": "1", "FOOTPRINTS_QUERY_TIMEOUT": "30"}
ASK = b"GET /sparql?query=ASK%20%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/sparql-results+json\r\n\r\n"


def answers(connection: socket.socket, count: int) -> list[bytes]:
    """The status lines of the next `count` answers on `connection` (each body read to its Content-Length)."""
    reader = connection.makefile("rb")
    statuses = []
    for _ in range(count):
        statuses.append(reader.readline().strip())
        length = 0
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        reader.read(length)
    return statuses


@pytest.fixture
def one_thread_server(built_home, tmp_path):
    with serving(built_home, tmp_path / "serve.log", ["--workers", "1"], ONE_THREAD) as (url, _):
        yield int(url.rsplit(":", 1)[1])


def connected(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=20)


def test_a_quiet_kept_connection_does_not_hold_the_only_thread(one_thread_server):
    with connected(one_thread_server) as quiet:
        quiet.sendall(ASK)
        assert answers(quiet, 1) == [b"HTTP/1.1 200 OK"]  # and then says nothing, its connection kept
        with connected(one_thread_server) as other:  # connects only now: no one waited while the thread answered
            other.sendall(ASK)
            assert answers(other, 1) == [b"HTTP/1.1 200 OK"]
        quiet.sendall(ASK)  # the quiet connection, back in the main thread's poll, is answered again
        assert answers(quiet, 1) == [b"HTTP/1.1 200 OK"]


def test_a_connection_closed_after_its_answer_frees_the_thread(one_thread_server):
    with connected(one_thread_server) as leaving:
        leaving.sendall(ASK)
        assert answers(leaving, 1) == [b"HTTP/1.1 200 OK"]
    with connected(one_thread_server) as next_client:
        next_client.sendall(ASK)
        assert answers(next_client, 1) == [b"HTTP/1.1 200 OK"]


def test_requests_sent_together_are_all_answered_in_order(one_thread_server):
    missing = ASK.replace(b"/sparql?query=ASK%20%7B%7D", b"/no-such-page")
    with connected(one_thread_server) as client:
        client.sendall(ASK + missing + ASK)  # read ahead into gunicorn's buffer: no poll would see them
        assert answers(client, 3) == [b"HTTP/1.1 200 OK", b"HTTP/1.1 404 NOT FOUND", b"HTTP/1.1 200 OK"]


class Worker(KeptConnectionWorker):
    """The decision alone: a worker object with only what `lingers` reads."""

    def __init__(self, alive: bool, waiting: int):
        self.alive, self.waiting = alive, WaitingRequests()
        for _ in range(waiting):
            self.waiting.add()


@pytest.mark.parametrize(("answered", "alive", "waiting", "lingers"), [
    (True, True, 0, True),
    (True, True, 1, False),  # another connection waits for a thread
    (True, False, 0, False),  # the worker is stopping
    (False, True, 0, False),  # the connection is to be closed
    (_DEFER, True, 0, False),  # no request came: gthread hands it to the main thread's poll
])
def test_a_thread_lingers_only_on_a_kept_connection_no_one_else_needs_it_for(answered, alive, waiting, lingers):
    assert Worker(alive, waiting).lingers(answered) is lingers


def test_waiting_requests_are_counted_until_a_thread_takes_them():
    waiting = WaitingRequests()
    waiting.add()
    waiting.add()
    waiting.take()
    assert waiting.any()
    waiting.take()
    assert not waiting.any()
