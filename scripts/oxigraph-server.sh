#!/usr/bin/env bash
# A private, writable Oxigraph server (the `oxigraph` CLI from PyPI) for tests and trials.
#
#   scripts/oxigraph-server.sh install         pip-install the `oxigraph` CLI when it is missing
#   scripts/oxigraph-server.sh start DIR       install if needed, then serve a store kept in DIR on 127.0.0.1;
#                                              wait (bounded) until it answers; print "http=PORT"
#   scripts/oxigraph-server.sh stop DIR        stop the server started in DIR (TERM, then KILL after a bound)
#
# The port is stable: $OXIGRAPH_PORT when given, else the one DIR/ports remembers from the last start, else a
# free one (then remembered), so `serve --store` keeps its URL across restarts.
#
# Endpoints: http://127.0.0.1:PORT/query, /update and /store (Graph Store Protocol); no authentication, which
# is acceptable only because nothing but loopback can reach it.
set -euo pipefail

WAIT_SECONDS=${OXIGRAPH_WAIT_SECONDS:-30}

install_package() {
  command -v oxigraph >/dev/null && return 0
  python3 -m pip install -q oxigraph
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_for() {  # DIR GIVEN: the port given, else the one DIR/ports remembers, else a free one
  local port=$2
  [ -n "$port" ] || port=$(sed -n 's/.*\bhttp=\([0-9]*\).*/\1/p' "$1/ports" 2>/dev/null || true)
  [ -n "$port" ] || port=$(free_port)
  echo "$port"
}

answers_sparql() {  # PORT
  python3 - "$1" <<'PY'
import sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/query?query=ASK%7B%7D"
try:
    with urllib.request.urlopen(url, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {  # DIR
  install_package
  mkdir -p "$1/store"
  local dir port
  dir=$(cd "$1" && pwd)
  port=$(port_for "$dir" "${OXIGRAPH_PORT:-}")
  # the union default graph: queries without GRAPH see every named graph, as on Virtuoso and in our own queries
  oxigraph serve --location "$dir/store" --bind "127.0.0.1:$port" --union-default-graph >"$dir/oxigraph.out" 2>&1 &
  echo $! >"$dir/oxigraph.pid"
  echo "http=$port" >"$dir/ports"
  for _ in $(seq "$WAIT_SECONDS"); do
    if answers_sparql "$port"; then
      cat "$dir/ports"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/oxigraph.pid")" 2>/dev/null; then
      echo "oxigraph exited while starting; its output:" >&2
      tail -n 20 "$dir/oxigraph.out" >&2 || true
      return 1
    fi
    sleep 1
  done
  echo "oxigraph did not answer on 127.0.0.1:$port within $WAIT_SECONDS s" >&2
  stop "$dir"
  return 1
}

stop() {  # DIR
  local pid
  pid=$(cat "$1/oxigraph.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$1/oxigraph.pid"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1/oxigraph.pid"
}

case "${1:-}" in
  install) install_package ;;
  start) [ $# -eq 2 ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start "$2" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | start DIR | stop DIR" >&2; exit 2 ;;
esac
