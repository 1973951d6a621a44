#!/usr/bin/env bash
# Builds pgvector for the local PostgreSQL server from Debian's own source package.
# Debian 12's PostgreSQL has no pgvector binary; trixie's source package (0.8.x) builds against
# postgresql-server-dev-<major>. Only source comes from trixie, never binaries. Needs root.
set -euo pipefail

major=$(ls /etc/postgresql | sort -n | tail -n 1)
if [ -f "/usr/share/postgresql/$major/extension/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL $major"
  exit 0
fi

# The archive host this machine already uses, read from its apt sources (never hard-coded).
host=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null \
  | grep -oE '^(URIs:|deb) +[a-z]+://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 \
  | sed -E 's/^(URIs:|deb) +//; s/ *$//' || true)
[ -n "$host" ] || { echo "no Debian archive found in the apt sources" >&2; exit 1; }

src=/etc/apt/sources.list.d/pgvector-trixie-src.sources
cat > "$src" <<SRC
Types: deb-src
URIs: $host
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "postgresql-server-dev-$major" build-essential dpkg-dev >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
apt-get source -qq pgvector >/dev/null
cd pgvector-*/
make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" >/dev/null
make -s PG_CONFIG="/usr/lib/postgresql/$major/bin/pg_config" install >/dev/null
echo "pgvector $(grep default_version vector.control | grep -oE "[0-9.]+") installed for PostgreSQL $major"
