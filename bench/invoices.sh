#!/usr/bin/env bash
# Invoice list and detail benchmark (issue: records in the portal).
#
#   bench/invoices.sh [sqlite|postgres] [invoices] [companies]
#
# Builds the release binary, seeds a fresh database with `courtyard admin
# seed-bench` (reused when it already holds the same size), starts the server,
# logs in as a seeded portal user and measures with wrk at 16 connections:
# the first page, a filtered page, a page deep in the list, and an invoice
# page. Then the list page's own SQL query alone (`courtyard admin
# bench-query`), the server's peak memory, and the first page again while 20
# logins per second run beside it. Prints a Markdown table for
# docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND="${1:-sqlite}"
INVOICES="${2:-1000000}"
COMPANIES="${3:-10000}"
DURATION="${BENCH_SECONDS:-15}"
PORT="${BENCH_PORT:-18090}"
EMAIL="p0@company0.example"
PASSWORD="bench-password-not-for-production"
PG_BASE="${COURTYARD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --bin courtyard --quiet
BIN="$PWD/target/release/courtyard"

DIR="${BENCH_DIR:-/tmp/courtyard-bench}/$BACKEND-$INVOICES-$COMPANIES"
mkdir -p "$DIR"
export COURTYARD_DATA_DIR="$DIR"
export COURTYARD_LOG=warn
export COURTYARD_MAIL__TRANSPORT=memory
if [ "$BACKEND" = postgres ]; then
  DB="cy_bench_${INVOICES}_${COMPANIES}"
  export COURTYARD_DATABASE_URL="${PG_BASE%/*}/$DB"
  if [ ! -f "$DIR/seeded" ]; then
    psql "$PG_BASE" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB"
  fi
elif [ ! -f "$DIR/seeded" ]; then
  rm -f "$DIR"/courtyard.db*
fi
if [ ! -f "$DIR/seeded" ]; then
  echo "seeding $INVOICES invoices across $COMPANIES companies on $BACKEND…"
  /usr/bin/time -f "seed: %e s, max RSS %M KiB" "$BIN" admin seed-bench --companies "$COMPANIES" --invoices "$INVOICES"
  touch "$DIR/seeded"
fi

"$BIN" serve --listen "127.0.0.1:$PORT" > "$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.1; done

URL="http://127.0.0.1:$PORT"
JAR="$DIR/cookies"
rm -f "$JAR"
curl -s -c "$JAR" -b "$JAR" "$URL/login" >/dev/null
CSRF=$(awk '$6=="cy_csrf"{print $7}' "$JAR")
curl -s -c "$JAR" -b "$JAR" -o /dev/null -d "csrf=$CSRF&email=$EMAIL&password=$PASSWORD" "$URL/login"
COOKIE="cy_portal=$(awk '$6=="cy_portal"{print $7}' "$JAR"); cy_csrf=$(awk '$6=="cy_csrf"{print $7}' "$JAR")"
[ -n "$(awk '$6=="cy_portal"{print $7}' "$JAR")" ] || { echo "login failed" >&2; exit 1; }

FIRST="/invoices"
FILTERED="/invoices?status=unpaid&status=overdue&from=2024-01-01&to=2026-12-31"
# A page deep in the user's list: follow "Next page" to the end.
DEEP="$FIRST"
while :; do
  NEXT=$(curl -s -H "Cookie: $COOKIE" "$URL$DEEP" | grep -o 'href="[^"]*" rel="next"' | head -1 | sed 's/href="//; s/" rel="next"//; s/&#38;/\&/g; s/&amp;/\&/g' || true)
  [ -n "$NEXT" ] || break
  DEEP="$NEXT"
done
DETAIL=$(curl -s -H "Cookie: $COOKIE" "$URL$FIRST" | grep -o 'href="/invoices/[0-9a-f-]\{36\}"' | head -1 | sed 's/href="//; s/"$//' || true)

run() { # name path -> "rps p50 p99"
  wrk -t2 -c16 -d"${DURATION}s" --latency -H "Cookie: $COOKIE" "$URL$2" > "$DIR/wrk-$1.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/{print $2}' "$DIR/wrk-$1.txt")
  p50=$(awk '$1=="50%"{print $2}' "$DIR/wrk-$1.txt")
  p99=$(awk '$1=="99%"{print $2}' "$DIR/wrk-$1.txt")
  local non2xx
  non2xx=$(awk '/Non-2xx/{print $NF}' "$DIR/wrk-$1.txt")
  [ -z "$non2xx" ] || { echo "$1: $non2xx non-2xx responses" >&2; exit 1; }
  echo "| $1 | $rps | $p50 | $p99 |"
}

echo
echo "Backend $BACKEND, $INVOICES invoices, $COMPANIES companies, wrk -t2 -c16 -d${DURATION}s, $(nproc) cores"
echo
echo "| page | req/s | p50 | p99 |"
echo "|---|---|---|---|"
run "list, first page" "$FIRST"
run "list, filtered" "$FILTERED"
run "list, deep page" "$DEEP"
run "invoice detail" "$DETAIL"
echo
"$BIN" admin bench-query --email "$EMAIL" --page first --seconds "$DURATION" --concurrency 16
echo "server peak RSS: $(awk '/VmHWM/{print $2, $3}' /proc/$SERVER/status)"

# Logins beside the list: 20 per second, evenly spaced, from one light process
# (each is an argon2id verification and a new session).
python3 bench/logins.py 127.0.0.1 "$PORT" "$EMAIL" "$PASSWORD" "$CSRF" 20 "$DURATION" > "$DIR/logins.txt" &
LOGINS=$!
echo
echo "| page, with 20 logins/s beside it | req/s | p50 | p99 |"
echo "|---|---|---|---|"
run "list, first page + logins" "$FIRST"
wait $LOGINS
cat "$DIR/logins.txt"
