#!/usr/bin/env bash
# Comunica (@comunica/query-sparql from the npm registry): an outside SPARQL client and federation engine
# the endpoint tests drive.
#
#   scripts/comunica.sh install    install it when missing into var/tools/comunica-VERSION (kept as a cache;
#                                  var/ is gitignored) and print the path of its comunica-sparql program
#
# Comunica 4.5 runs on the machine's Node 20; the 5.x line needs a newer Node. Installing takes about a
# minute the first time; later calls only print the path.
set -euo pipefail

VERSION=${COMUNICA_VERSION:-4.5.0}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=${FOOTPRINTS_TOOLS:-$ROOT/var/tools}

install_node() {
  command -v npm >/dev/null && command -v node >/dev/null && return 0
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2
  apt-get install -y -q nodejs npm >&2
}

install() {
  local folder="$TOOLS/comunica-$VERSION"
  local program="$folder/node_modules/.bin/comunica-sparql"
  if [ ! -x "$program" ]; then
    install_node
    local work="$TOOLS/.comunica-$VERSION-$$"
    mkdir -p "$TOOLS"
    rm -rf "$work"
    npm install --no-audit --no-fund --loglevel=error --prefix "$work" "@comunica/query-sparql@$VERSION" >&2
    # a whole folder appears at once; if another run got there first, keep its copy
    mv -T "$work" "$folder" 2>/dev/null || rm -rf "$work"
  fi
  echo "$program"
}

case "${1:-}" in
  install) install ;;
  *) echo "usage: $0 install" >&2; exit 2 ;;
esac
