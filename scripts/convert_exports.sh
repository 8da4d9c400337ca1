#!/usr/bin/env bash
# Converts exported files (.docx, .xlsx) to PDF with LibreOffice headless, and each PDF page to a
# PNG with pdftoppm, to look at the exports as a reader of the printout would.
#
#   bash scripts/convert_exports.sh OUT_DIR FILE...
#
# Writes OUT_DIR/<name>.pdf and OUT_DIR/<name>-<page>.png. Installs LibreOffice and poppler-utils
# with apt-get first when they are missing and apt is there (.ci/setup.sh install_office).
# A file to try: `.venv/bin/python tests/auxil/realistic_round.py OUT_DIR` writes both exports of
# a realistic round; `python app.py export --round <id> --out DIR` those of a stored round.
set -euo pipefail
cd "$(dirname "$0")/.."
SETUP_NAME=convert_exports
# shellcheck source=../.ci/setup.sh
source .ci/setup.sh
[ "$#" -ge 2 ] || { echo "usage: bash scripts/convert_exports.sh OUT_DIR FILE..." >&2; exit 2; }
out=$1; shift
install_office || exit 1
mkdir -p "$out"
profile=$(mktemp -d)  # a LibreOffice profile of this run: no clash with a running LibreOffice
trap 'rm -rf "$profile"' EXIT
for file in "$@"; do
  soffice --headless --norestore "-env:UserInstallation=file://$profile" --convert-to pdf --outdir "$out" "$file" >/dev/null
  name=$(basename "${file%.*}")
  pdftoppm -png -r "${PNG_DPI:-70}" "$out/$name.pdf" "$out/$name"
  say "$out/$name.pdf: $(ls "$out/$name"-*.png | wc -l) pages"
done
