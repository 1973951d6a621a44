#!/usr/bin/env bash
# Installs and starts everything the test suite needs on a Debian machine, idempotently:
# ffmpeg, yt-dlp and Chromium from Debian; a PostgreSQL server (installed and started when there
# is none) with pgvector built from Debian's source package; the `test` database the tests use at
# 127.0.0.1:5432 as user postgres. The README's test command and .ci/run both start with it.
set -euo pipefail
cd "$(dirname "$0")/.."

# Root runs apt directly (CI, containers); anyone else needs sudo.
SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "setup-test-machine: run as root or install sudo" >&2; exit 1; }
  SUDO=(sudo)
fi

need_apt=()
command -v ffmpeg >/dev/null 2>&1 || need_apt+=(ffmpeg)
command -v yt-dlp >/dev/null 2>&1 || need_apt+=(yt-dlp)
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
fresh_server=false
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
  need_apt+=(postgresql)
  fresh_server=true
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup-test-machine: installing ${need_apt[*]}"
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

major=$(ls /etc/postgresql | sort -n | tail -n 1)
if [ "$fresh_server" = true ]; then
  # A cluster made for the tests: they connect over TCP as postgres without a password, as on CI.
  # A server that was already here keeps its own rules (set TEST_DATABASE_URL to reach it).
  hba="/etc/postgresql/$major/main/pg_hba.conf"
  "${SUDO[@]}" sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
fi

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$major" main start || true
  for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "setup-test-machine: PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }

"${SUDO[@]}" bash scripts/install-pgvector.sh
psql -h 127.0.0.1 -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -d postgres -qc 'CREATE DATABASE test'
echo "setup-test-machine: ready (PostgreSQL $major at 127.0.0.1:5432, database test)"
