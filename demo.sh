#!/usr/bin/env bash
# The README's first command: installs the bot and runs it on SQLite with the bundled demo round.
# Voikko (Finnish morphology for the summaries' themes) comes from Debian's packages when apt is
# there; the Python packages go into .venv. Extra arguments go to app.py.
set -euo pipefail
cd "$(dirname "$0")"

if ! dpkg -s libvoikko1 voikko-fi >/dev/null 2>&1 && command -v apt-get >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -qq libvoikko1 voikko-fi >/dev/null || { apt-get update -qq && apt-get install -y -qq libvoikko1 voikko-fi >/dev/null; }
  elif command -v sudo >/dev/null; then
    sudo apt-get install -y -qq libvoikko1 voikko-fi >/dev/null
  fi
fi

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/python app.py "$@"
