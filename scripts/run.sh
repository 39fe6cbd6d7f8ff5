#!/usr/bin/env bash
# `make run`: start the toolkit on the demo database and print the URLs to open.
# Usage: scripts/run.sh DB LAB_PORT DATASETTE_PORT
set -euo pipefail
DB="$1"; LAB_PORT="$2"; DATASETTE_PORT="$3"
BIN=.venv/bin
export FMS_DB="$DB"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

$BIN/jupyter lab --no-browser --ip=127.0.0.1 --port="$LAB_PORT" --notebook-dir=notebooks \
  --ServerApp.token='' --ServerApp.password='' --ServerApp.disable_check_xsrf=False \
  --ServerApp.open_browser=False --allow-root > .venv/jupyterlab.log 2>&1 &
pids+=($!)

echo
echo "fmstoolkit is running on $DB"
echo "  JupyterLab (planning, offboarding):  http://127.0.0.1:$LAB_PORT/lab"
echo "Logs in .venv/*.log. Press Ctrl+C to stop."
wait -n "${pids[@]}"
