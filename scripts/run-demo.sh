#!/usr/bin/env bash
# `make run`: migrate, seed demo data into an empty database, then serve the web app and a worker.
# Data lives in ./var (SQLite) and survives restarts. Ctrl-C stops both processes.
set -euo pipefail
cd "$(dirname "$0")/.."
export TIPLINE_DEMO=1
export TIPLINE_VAR_DIR="${TIPLINE_VAR_DIR:-$PWD/var}"
PORT="${PORT:-8000}"
BIN=.venv/bin
mkdir -p "$TIPLINE_VAR_DIR"
# Marks this checkout as a demo: `tipline` commands run here read the demo settings too.
touch "$TIPLINE_VAR_DIR/.demo"

$BIN/tipline migrate --no-input -v0
$BIN/tipline createcachetable
$BIN/tipline collectstatic --no-input -v0
$BIN/tipline demo
$BIN/tipline simulate demo  # one invented report walked through USSD, SMS and WhatsApp each
$BIN/tipline ncmec demo  # invented NCMEC referral packages, imported as the national desk would

# The worker's lines go to a log, so the addresses below stay on screen. It waits out database
# errors itself; should it die all the same, it is started again, as a supervisor would.
(
  trap 'kill -TERM "$child" 2>/dev/null; wait "$child" || true; exit 0' TERM
  while true; do
    $BIN/tipline worker -v1 >>"$TIPLINE_VAR_DIR/worker.log" 2>&1 &
    child=$!
    wait "$child" && status=0 || status=$?
    echo "worker exited ($status); restarting it in 2 s" >>"$TIPLINE_VAR_DIR/worker.log"
    sleep 2
  done
) &
WORKER=$!
$BIN/gunicorn -c python:tipline.config.gunicorn tipline.config.wsgi:application \
  --bind "127.0.0.1:$PORT" --access-logfile - --log-level warning &
WEB=$!

stop() { kill -TERM "$WEB" "$WORKER" 2>/dev/null || true; wait "$WEB" "$WORKER" 2>/dev/null || true; }
trap 'stop; echo; echo "tipline stopped. Data kept in $TIPLINE_VAR_DIR."; exit 0' INT TERM

cat <<INFO

  tipline is running (demo mode, SQLite in $TIPLINE_VAR_DIR)

  Public report form   http://127.0.0.1:$PORT/en/
  Follow up a report   http://127.0.0.1:$PORT/en/follow-up/
  Analyst console      http://127.0.0.1:$PORT/console/
  Administration       http://127.0.0.1:$PORT/admin/
  JSON API docs        http://127.0.0.1:$PORT/api/v1/docs   (Bearer demo-platform-key)
  CyberTipline API     http://127.0.0.1:$PORT/ispws/status  (Basic demo-esp / demo-esp-password)
  Health and metrics   http://127.0.0.1:$PORT/readyz   http://127.0.0.1:$PORT/metrics (from this machine)

  Demo logins (password demo-password, no second factor in demo mode):
    analyst (Lagos command)   investigator (Lagos, Benin)   liaison (national desk)
    supervisor (national)     admin (national, administrator)

  The background worker processes the demo reports now (log: $TIPLINE_VAR_DIR/worker.log).
  Ctrl-C stops the web server and the worker.

INFO
wait "$WEB"
stop
