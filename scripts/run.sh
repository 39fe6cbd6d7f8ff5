#!/usr/bin/env bash
# `make run`: start the toolkit on the demo database and print the URLs to open.
# Usage: [DB=path] scripts/run.sh LAB_PORT DATASETTE_PORT APPS_PORT
# Every part started here (the Voila apps and JupyterLab and their kernels, Datasette, the
# assistant) resolves relative paths against this folder (FMS_HOME), so they all open the same
# database. A port already taken stops everything before it starts, with the setting to change.
set -euo pipefail
LAB_PORT="$1"; DATASETTE_PORT="$2"; APPS_PORT="${3:-8866}"
BIN=.venv/bin
export FMS_HOME="$PWD"
if [ -n "${DB:-}" ]; then export FMS_DB="$DB"; fi
DB="$($BIN/python -c 'from fmstoolkit.config import get_settings as s; print(s().db)')"
$BIN/python -m fmstoolkit.apps_server "FMS_APPS_PORT=$APPS_PORT" "FMS_LAB_PORT=$LAB_PORT" \
  "FMS_DATASETTE_PORT=$DATASETTE_PORT" || exit 2
export FMS_APPS_PORT="$APPS_PORT" FMS_LAB_PORT="$LAB_PORT" FMS_DATASETTE_PORT="$DATASETTE_PORT"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM

# The apps: one Voila server for every notebook of notebooks/, code hidden.
$BIN/python -m voila notebooks --no-browser --Voila.ip=127.0.0.1 --port="$APPS_PORT" \
  --theme=light --VoilaConfiguration.show_tracebacks=False > .venv/voila.log 2>&1 &
pids+=($!)

# JupyterLab, for those who want the code; its saves keep the notebooks free of outputs.
$BIN/jupyter lab --config=scripts/jupyter_server_config.py --no-browser --ip=127.0.0.1 --port="$LAB_PORT" --notebook-dir=notebooks \
  --ServerApp.token='' --ServerApp.password='' --ServerApp.disable_check_xsrf=False \
  --ServerApp.open_browser=False --allow-root > .venv/jupyterlab.log 2>&1 &
pids+=($!)

# The notes database, republished from $DB, served read-only by Datasette.
$BIN/fms publish --db "$DB" > .venv/datasette.log 2>&1
$BIN/fms serve --db "$DB" --host 127.0.0.1 --port "$DATASETTE_PORT" >> .venv/datasette.log 2>&1 &
pids+=($!)

# The assistant: sends the outbox, applies the follow-up rules, answers on Telegram when a bot
# token is configured (e-mail only otherwise).
$BIN/fms assistant --db "$DB" > .venv/assistant.log 2>&1 &
pids+=($!)
# What to open, in the agency's language (FMS_LANG).
$BIN/python -m fmstoolkit.apps_server --banner
wait -n "${pids[@]}"
