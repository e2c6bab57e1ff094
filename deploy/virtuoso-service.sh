#!/usr/bin/env bash
# Debian's own Virtuoso 7 service, installed and configured for footprints-graph as deploy/virtuoso.md describes:
# the dba password from the environment, SQL and HTTP ports on 127.0.0.1 only, the [SPARQL] limits that match
# serve's, the daemon running as the system user `virtuoso` rather than root. Run as root.
#
#   FOOTPRINTS_REMOTE_PASSWORD=… deploy/virtuoso-service.sh start   install when missing, configure, (re)start,
#                                                                   wait until SPARQL answers; print "sql=… http=…"
#   deploy/virtuoso-service.sh stop                                 stop the service
#
# Ports: $VIRTUOSO_SQL_PORT (default 1111) and $VIRTUOSO_HTTP_PORT (default 8890). The service is started with
# systemctl when systemd runs the machine, else with `service` (the package's init script): in a container
# without systemd, and where policy-rc.d forbids the package to start its service while installing (so that
# its postinst cannot set the password it was given), this script sets the password itself, as the postinst does.
set -euo pipefail

NAME=virtuoso-opensource-7
INI=/etc/$NAME/virtuoso.ini
DEFAULTS=/etc/default/$NAME
DATABASE=/var/lib/$NAME/db
LOGS=/var/log/$NAME
SQL_PORT=${VIRTUOSO_SQL_PORT:-1111}
HTTP_PORT=${VIRTUOSO_HTTP_PORT:-8890}
MAX_ROWS=100001     # one row more than serve's max_result_rows (100,000): serve refuses first, with its own message
QUERY_SECONDS=30    # serve's query_timeout: Virtuoso gives up when serve would
WAIT_SECONDS=${VIRTUOSO_WAIT_SECONDS:-120}

service_do() {  # ACTION: through systemd when it is PID 1, else the init script
  if [ "$(cat /proc/1/comm 2>/dev/null)" = systemd ]; then
    systemctl "$1" "$NAME"
  else
    service "$NAME" "$1"
  fi
}

install_package() {  # the documented way: the dba password preseeded for the package's postinst
  dpkg -s "$NAME" >/dev/null 2>&1 && command -v virtuoso-t >/dev/null && return 0
  debconf-set-selections <<EOF
$NAME $NAME/dba-password password $FOOTPRINTS_REMOTE_PASSWORD
$NAME $NAME/dba-password-again password $FOOTPRINTS_REMOTE_PASSWORD
EOF
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q virtuoso-opensource
}

configure() {  # the settings of deploy/virtuoso.md, the ports on loopback; the daemon as user `virtuoso`
  sed -i -e "/^\[Parameters\]/,/^\[/ s/^ServerPort .*/ServerPort = 127.0.0.1:$SQL_PORT/" \
         -e "/^\[HTTPServer\]/,/^\[/ s/^ServerPort .*/ServerPort = 127.0.0.1:$HTTP_PORT/" \
         -e "/^\[SPARQL\]/,/^\[/ s/^ResultSetMaxRows .*/ResultSetMaxRows = $MAX_ROWS/" \
         -e "/^\[SPARQL\]/,/^\[/ s/^MaxQueryExecutionTime .*/MaxQueryExecutionTime = $QUERY_SECONDS/" "$INI"
  id virtuoso >/dev/null 2>&1 || useradd --system --home-dir "$DATABASE" --no-create-home --shell /usr/sbin/nologin virtuoso
  chown -R virtuoso: "$DATABASE" "$LOGS"
  # the init script matches a running server by user and program: as root it would take any root virtuoso-t
  # (another instance on the machine) for this one
  grep -q '^DAEMONUSER=' "$DEFAULTS" || echo 'DAEMONUSER=virtuoso' >>"$DEFAULTS"
  sed -i 's/^RUN=no/RUN=yes/' "$DEFAULTS"  # the postinst disables a service left with the default password
}

sql() {  # PASSWORD STATEMENT
  isql-vt "127.0.0.1:$SQL_PORT" dba "$1" "EXEC=$2" >/dev/null 2>&1
}

set_password() {  # as the package's postinst does, when the database still has the default one
  if sql dba "select 1;"; then
    sql dba "SET PASSWORD \"dba\" \"$FOOTPRINTS_REMOTE_PASSWORD\";"  # quoted: the postinst's bare word fails on "3a…"
    sql "$FOOTPRINTS_REMOTE_PASSWORD" "UPDATE SYS_USERS SET U_PASSWORD='$FOOTPRINTS_REMOTE_PASSWORD' WHERE U_NAME='dav';"
    sql "$FOOTPRINTS_REMOTE_PASSWORD" "checkpoint;"
  fi
  sql "$FOOTPRINTS_REMOTE_PASSWORD" "select 1;" || {
    echo "the dba password of $DATABASE is neither the default nor \$FOOTPRINTS_REMOTE_PASSWORD" >&2
    return 1
  }
}

answers_sparql() {
  python3 - "$HTTP_PORT" <<'PY'
import sys, urllib.request
try:
    with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/sparql?query=ASK%7B%7D", timeout=2) as answer:
        sys.exit(0 if answer.status == 200 else 1)
except Exception:
    sys.exit(1)
PY
}

start() {
  [ -n "${FOOTPRINTS_REMOTE_PASSWORD:-}" ] || { echo "set FOOTPRINTS_REMOTE_PASSWORD to the dba password" >&2; exit 2; }
  case "$FOOTPRINTS_REMOTE_PASSWORD" in
    *[\"\'\\[:space:]]*) echo "FOOTPRINTS_REMOTE_PASSWORD must hold no quote, backslash or space (SQL quotes it)" >&2
                         exit 2 ;;
  esac
  install_package
  configure
  # its status is not the test: the init script can report a start as failed while a new database is still being
  # created; SPARQL answering below is
  service_do restart >&2 || true
  for _ in $(seq "$WAIT_SECONDS"); do
    if answers_sparql; then
      set_password
      echo "sql=$SQL_PORT http=$HTTP_PORT"
      return 0
    fi
    sleep 1
  done
  echo "the $NAME service did not answer on 127.0.0.1:$HTTP_PORT within $WAIT_SECONDS s; its log:" >&2
  tail -n 20 "$DATABASE/virtuoso.log" >&2 || true
  return 1
}

case "${1:-}" in
  start) start ;;
  stop) service_do stop >&2 ;;
  *) echo "usage: $0 start | stop" >&2; exit 2 ;;
esac
