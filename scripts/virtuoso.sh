#!/usr/bin/env bash
# A private Virtuoso 7 (Debian's virtuoso-opensource) for tests and trials: never the system service.
#
#   scripts/virtuoso.sh install               install the package when virtuoso-t is missing
#   scripts/virtuoso.sh start DIR [MAX_ROWS]  install if needed, then start an instance whose database lives in
#                                             DIR, SQL and HTTP ports both on 127.0.0.1; wait (bounded) until
#                                             its SPARQL endpoint answers; print "sql=PORT http=PORT".
#                                             MAX_ROWS sets [SPARQL] ResultSetMaxRows (default 100001: one row
#                                             more than serve's max_result_rows, so serve refuses a result too
#                                             large with its own message before Virtuoso cuts one short).
#
# Ports are stable: $VIRTUOSO_HTTP_PORT and $VIRTUOSO_SQL_PORT when given, else those DIR/ports remembers from
# the last start, else free ones (then remembered), so `serve --store` keeps its URL across restarts.
#   scripts/virtuoso.sh stop DIR              stop the instance started in DIR (TERM, then KILL after a bound)
#
# Endpoints: http://127.0.0.1:HTTP/sparql (anonymous, read) and /sparql-auth (digest, user dba password dba:
# a fresh database's default, acceptable only because nothing but loopback can reach it).
set -euo pipefail

PACKAGED_INI=/etc/virtuoso-opensource-7/virtuoso.ini
PACKAGED_DB=/var/lib/virtuoso-opensource-7/db/
WAIT_SECONDS=${VIRTUOSO_WAIT_SECONDS:-90}

install_package() {
  command -v virtuoso-t >/dev/null && return 0
  # noninteractive: otherwise debconf asks for a dba password; the package's own service is not used
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q virtuoso-opensource
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

write_ini() {  # DIR SQL_PORT HTTP_PORT MAX_ROWS: the packaged ini with the database moved and the ports on loopback
  awk -v dir="$1" -v sql="$2" -v http="$3" -v maxrows="$4" -v packaged_db="$PACKAGED_DB" '
    /^\[/ { section = $0 }
    { gsub(packaged_db, dir "/") }
    section == "[Parameters]" && /^ServerPort/       { $0 = "ServerPort = 127.0.0.1:" sql }
    section == "[Parameters]" && /^DirsAllowed/      { $0 = "DirsAllowed = ., " dir ", /usr/share/virtuoso-opensource-7/vad" }
    section == "[HTTPServer]" && /^ServerPort/       { $0 = "ServerPort = 127.0.0.1:" http }
    section == "[URIQA]"      && /^DefaultHost/      { $0 = "DefaultHost = 127.0.0.1:" http }
    section == "[SPARQL]"     && /^ResultSetMaxRows/ { $0 = "ResultSetMaxRows = " maxrows }
    { print }
  ' "$PACKAGED_INI" > "$1/virtuoso.ini"
}

port_for() {  # DIR NAME GIVEN: the port given, else the one DIR/ports remembers for NAME, else a free one
  local port=$3
  [ -n "$port" ] || port=$(sed -n "s/.*\b$2=\([0-9]*\).*/\1/p" "$1/ports" 2>/dev/null || true)
  [ -n "$port" ] || port=$(free_port)
  echo "$port"
}

answers_sparql() {  # HTTP_PORT
  python3 - "$1" <<'PY'
import sys, urllib.request
url = f"http://127.0.0.1:{sys.argv[1]}/sparql?query=ASK%7B%7D"
try:
    with urllib.request.urlopen(url, timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {  # DIR [MAX_ROWS]
  install_package
  mkdir -p "$1"
  local dir sql http
  dir=$(cd "$1" && pwd)
  sql=$(port_for "$dir" sql "${VIRTUOSO_SQL_PORT:-}")
  http=$(port_for "$dir" http "${VIRTUOSO_HTTP_PORT:-}")
  write_ini "$dir" "$sql" "$http" "${2:-100001}"
  (cd "$dir" && exec virtuoso-t +configfile "$dir/virtuoso.ini" +foreground >"$dir/virtuoso.out" 2>&1) &
  echo $! >"$dir/virtuoso.pid"
  echo "sql=$sql http=$http" >"$dir/ports"
  for _ in $(seq "$WAIT_SECONDS"); do
    if answers_sparql "$http"; then
      cat "$dir/ports"
      return 0
    fi
    if ! kill -0 "$(cat "$dir/virtuoso.pid")" 2>/dev/null; then
      echo "virtuoso exited while starting; its log:" >&2
      tail -n 20 "$dir/virtuoso.out" "$dir/virtuoso.log" >&2 || true
      return 1
    fi
    sleep 1
  done
  echo "virtuoso did not answer on 127.0.0.1:$http within $WAIT_SECONDS s" >&2
  stop "$dir"
  return 1
}

stop() {  # DIR
  local pid
  pid=$(cat "$1/virtuoso.pid" 2>/dev/null) || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 30); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$1/virtuoso.pid"; return 0; }
    sleep 0.5
  done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1/virtuoso.pid"
}

case "${1:-}" in
  install) install_package ;;
  start) [ $# -ge 2 ] || { echo "usage: $0 start DIR [MAX_ROWS]" >&2; exit 2; }; start "$2" "${3:-}" ;;
  stop) [ $# -eq 2 ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 install | start DIR [MAX_ROWS] | stop DIR" >&2; exit 2 ;;
esac
