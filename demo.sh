#!/usr/bin/env bash
# The README's first command: installs the bot and runs it on SQLite with the bundled demo round.
# Voikko (Finnish morphology for the summaries' themes) comes from Debian's packages when apt is
# there; if it cannot be installed the bot runs without it. The Python packages go into .venv.
# Extra arguments go to app.py.
set -euo pipefail
cd "$(dirname "$0")"
SETUP_NAME=demo.sh
. .ci/setup.sh

install_voikko
say "installing the bot's Python packages into .venv (a minute or two the first time)"
python3 -m venv .venv
pip_install -e . || { say "pip could not install the bot into .venv (its message is above)" >&2; exit 1; }
if ! voikko_works; then
  say "WARNING: Voikko is not available: the bot runs, but its summaries leave out the themes."
  say "         Install it with: sudo apt-get install ${VOIKKO_PACKAGES[*]} (macOS: brew install libvoikko)"
fi

if [ -z "${LOG_FORMAT:-}" ] && ! grep -qs '^LOG_FORMAT=' .env; then
  export LOG_FORMAT=text  # lines for a person reading the terminal; production logs JSON
fi
address="http://${HOST:-127.0.0.1}:${PORT:-3978}"
cat <<TEXT
demo.sh: starting the bot with the demo round (data in var/hyte.db); stop it with Ctrl+C.

  The bot answers at $address/api/messages once it logs "serving on".
  To chat with it, run in a second terminal, in $PWD (needs Node.js):
    npx -y -p @microsoft/m365agentsplayground@0.2.28 agentsplayground -e $address/api/messages -c msteams --disable-telemetry
  then open http://localhost:56150 and type: ohje

TEXT
# Last year's answers of the demo county (config/pohjois-savo-edellinen/), generated once into the
# database, so that the survey summary and the Word document show this year against last.
.venv/bin/python app.py demo-data || say "WARNING: last year's demo answers were not written (the message is above)."
exec .venv/bin/python app.py "$@"
