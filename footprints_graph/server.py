"""`footprints-graph serve`: the Flask app under gunicorn (not Flask's development server).

Each gunicorn worker builds its own app and opens the store read-only, after the fork. The master imports the site,
compiles its templates and reads the release's views before it forks each worker (`share_before_fork`), so that
the workers start with them, in memory they share; a worker asks itself for the home page before it takes requests
(`open_home_page`).
Each worker serves `threads` requests at once (gthread). Queries with a deadline run in children of the worker
(query_process.py), which its threads share (`QueryProcesses`): one forked as the worker starts
(`start_query_process`), another only while every one is busy; gunicorn's own worker timeout is a backstop a little
beyond that deadline.
"""

import gc
import logging
import os
import select
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace

from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

from footprints_graph.endpoint.config import EndpointConfig
from footprints_graph.endpoint.sparql.guard import policy_for
from footprints_graph.endpoint.sparql.query_process import query_processes
from footprints_graph.errors import FootprintsError
from footprints_graph.hardening import refuse_outbound_connections
from footprints_graph.releases.build import build
from footprints_graph.releases.serving import current_release, read_views_ahead

log = logging.getLogger(__name__)
BACKSTOP_SECONDS = 30
SHARED_MEMORY = "/dev/shm"
LINGER_MS = 1  # how long a thread waits on its connection for the next request before handing it back


def gunicorn_settings(config: EndpointConfig) -> dict:
    return {
        "bind": f"{config.host}:{config.port}",
        "workers": config.workers,
        # threads: a client that sends its request a byte at a time holds one thread, not the worker (two such
        # clients blocked both sync workers for 12 s, issue 13)
        "worker_class": KeptConnectionWorker,
        "threads": config.threads,
        "timeout": int(config.query_timeout) + BACKSTOP_SECONDS if config.query_timeout else 0,
        "graceful_timeout": 10,
        "limit_request_line": 0,  # long GET queries; the app enforces max_query_bytes itself
        "accesslog": "-",
        "logger_class": AccessLogger,
        "proc_name": "footprints-graph",
        "preload_app": False,
        "control_socket_disable": True,  # gunicorn >= 25: no management socket in $HOME
        "worker_tmp_dir": heartbeat_folder(),
        "pre_request": close_after_a_refused_body,
        "pre_fork": share_before_fork(config),
    }


def heartbeat_folder() -> str | None:
    """Where each worker's heartbeat file lives (gunicorn touches it every turn of the worker's loop, twice a request):
    in memory (/dev/shm) where there is one, as gunicorn's documentation advises, not in the temporary folder, where on
    a disk the touch blocks the loop (30 µs on this project's machine, longer while the disk is busy) between a
    request's answer and the next request on the connection. None: gunicorn's default, the temporary folder."""
    return SHARED_MEMORY if os.path.isdir(SHARED_MEMORY) and os.access(SHARED_MEMORY, os.W_OK) else None


def share_before_fork(config: EndpointConfig) -> Callable:
    """gunicorn's pre_fork hook: in the master, before each worker is forked, the site's modules imported, its
    templates compiled (by an app made for that: one that holds no store) and the current release's views read
    (again only when `current` moved), then every object so far frozen out of Python's garbage collector. A forked
    process shares its parent's memory until it writes to it; a collection writes to every object it examines, so
    without the freeze each worker and each query process forked from it would soon hold its own copy of what it
    inherited."""
    def share(server, worker) -> None:
        from footprints_graph.web import create_app

        compile_templates(create_app(replace(config, in_memory=False)))
        read_views_ahead(config.home, config.base)
        gc.collect()  # the app made to compile is garbage in cycles: collected now, or frozen and kept for good
        gc.freeze()
    return share


def close_after_a_refused_body(worker, request) -> None:
    """gunicorn's pre_request hook: a request whose body the app will refuse unread (larger than its
    MAX_CONTENT_LENGTH, or of unknown length) is answered with `Connection: close`. gunicorn drains at most 64 KB
    of an unread body before it takes the next request on the connection; past that it closes the connection after
    its answer announced keep-alive, and the client's next request on it was lost ("Remote end closed connection
    without response" in the hostile mix after a 5 MB /reconcile batch, issue 13)."""
    limit = worker.wsgi.config.get("MAX_CONTENT_LENGTH")
    headers = dict(request.headers)
    declared = headers.get("CONTENT-LENGTH")
    if limit and ("TRANSFER-ENCODING" in headers or (declared and declared.isdigit() and int(declared) > limit)):
        request.force_close()


class KeptConnectionWorker(ThreadWorker):
    """gunicorn's gthread worker, but the thread that answered a request on a kept-alive connection waits up to
    LINGER_MS for the connection's next request and answers it too, while no other connection waits for a thread.
    gthread hands every kept-alive connection back to the worker's main thread after each answer (a pipe write that
    wakes it, a poll, a hand-off to the pool: three wake-ups of a thread a request), which cost a client asking
    one query after another about 0.1 ms a request of gunicorn's 0.4 ms on this project's machine. A connection
    that stays quiet goes back to the main thread's poll as before, so a slow or idle client holds a thread at most
    LINGER_MS longer; a request waiting for a thread ends the lingering at the next answer."""

    def init_process(self) -> None:
        self.waiting = WaitingRequests()
        super().init_process()

    def enqueue_req(self, conn) -> None:
        self.waiting.add()
        super().enqueue_req(conn)

    def handle(self, conn):
        self.waiting.take()
        answered = super().handle(conn)
        while self.lingers(answered) and next_request_arrives(conn):
            answered = super().handle(conn)
        return answered

    def lingers(self, answered) -> bool:
        """Whether to wait here for the connection's next request: its answer kept the connection alive (gthread's
        `handle` returned True, not a deferral or a close), the worker is not stopping, and no request waits for
        a thread."""
        return answered is True and self.alive and not self.waiting.any()


class AccessLogger(Logger):
    """gunicorn's logger, whose access log line is made from only the atoms its format can name without braces
    (gunicorn's default format, ours) when it names none with them. gunicorn makes an atom of every request header,
    response header and WSGI variable of each request (`{name}i`, `{name}o`, `{name}e`) and copies them all,
    escaped, for a line that shows nine: a third of a serving worker's Python time under 8 clients asking for
    records (py-spy, 100,000 victims). A format that names one with braces gets them all, as before."""

    def atoms(self, resp, req, environ, request_time):
        if "{" in self.cfg.access_log_format:
            return super().atoms(resp, req, environ, request_time)
        named = {name: environ[name] for name in ATOM_VARIABLES if name in environ}
        return super().atoms(AnswerLogged(resp.status, getattr(resp, "sent", None)), (), named, request_time)


# the WSGI variables gunicorn's atoms without braces are made from (glogging.Logger.atoms and _get_user)
ATOM_VARIABLES = ("REMOTE_ADDR", "REQUEST_METHOD", "RAW_URI", "SERVER_PROTOCOL", "PATH_INFO", "QUERY_STRING",
                  "HTTP_REFERER", "HTTP_USER_AGENT", "HTTP_AUTHORIZATION")


@dataclass(frozen=True)
class AnswerLogged:
    """What the access log's atoms read of gunicorn's response, its headers left out."""

    status: str | int
    sent: int | None
    headers: tuple = ()


class WaitingRequests:
    """How many connections the worker's main thread has handed to its thread pool that no thread has taken yet."""

    def __init__(self) -> None:
        self.count, self.lock = 0, threading.Lock()

    def add(self) -> None:
        with self.lock:
            self.count += 1

    def take(self) -> None:
        with self.lock:
            self.count -= 1

    def any(self) -> bool:
        return self.count > 0


def next_request_arrives(conn) -> bool:
    """Whether the connection's next request has begun to arrive, in gunicorn's read-ahead buffer or on the socket
    within LINGER_MS."""
    if conn.parser.unreader.buf.getvalue():
        return True
    waiting = select.poll()
    waiting.register(conn.sock, select.POLLIN)
    return bool(waiting.poll(LINGER_MS))


class FootprintsServer(BaseApplication):
    """gunicorn running create_app(config) in every worker."""

    def __init__(self, config: EndpointConfig):
        self.endpoint_config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_settings(self.endpoint_config).items():
            if key in self.cfg.settings:  # older gunicorns lack some settings
                self.cfg.set(key, value)

    def load(self):
        from footprints_graph.web import create_app  # imported already by the master (share_before_fork)

        config = self.endpoint_config
        store = (config.store_url,) if config.store_url else ()  # the SPARQL server it serves from, if any
        refuse_outbound_connections((*config.federation, *store))  # a worker reaches no other host (hardening.py)
        app = create_app(self.endpoint_config)
        if not config.store_url and config.query_timeout:  # a SPARQL server's queries need no query process
            start_query_process(app)
        app.extensions["footprints"].releases.warm(config.base)  # the release's views, read before they are asked for
        compile_templates(app)  # from the code the master compiled: milliseconds
        if not config.store_url:  # a SPARQL server may be slow or down: the worker does not wait for it
            open_home_page(app)
        return app


def start_query_process(app) -> None:
    """Fork the worker's first query process now, for the release being served, rather than on the worker's first
    query, which waited for it (10-50 ms at 1,000 victims under load; 70 ms for a 100,000-victim store in memory).
    Before any thread of the worker starts: a process forked while another thread holds a lock keeps it locked."""
    site = app.extensions["footprints"]
    try:
        store = site.release().store
    except (FootprintsError, OSError) as error:  # no release, or a broken one: requests will say so
        log.warning("no query process started: %s", error)
        return
    with query_processes().taken(store) as process:
        process.prepare(store, policy_for(site.config))


def compile_templates(app) -> None:
    """Compile every page template now: Jinja compiles one when first rendered, which made a worker's first page
    take 100 to 200 ms longer than its next."""
    for name in app.jinja_env.list_templates(filter_func=lambda name: name.endswith(".html")):
        app.jinja_env.get_template(name)


def open_home_page(app) -> None:
    """Ask `app` for the home page once, in the worker before it takes requests: the first answer reads the
    store's blocks that hold the figures and labels, sorts the URL map and reads what the page's modules read on
    first use (about 25 ms of CPU at 10,000 victims, more with a cold disk), which the worker's first visitor
    waited for."""
    app.test_client().get("/")


def ensure_release(config: EndpointConfig) -> None:
    """Build from `config.data` when the home folder has no release yet."""
    if current_release(config.home) is None:
        log.warning("no release under %s: building one from %s", config.home, config.data)
        build(config.data, config.home, config.base)


def serve(config: EndpointConfig) -> None:
    ensure_release(config)
    FootprintsServer(config).run()
