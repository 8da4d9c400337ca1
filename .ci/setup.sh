# Sourced by demo.sh and .ci/run: the installs both need, each saying in one line what it does.
#
# APT_LOCK_WAIT_SECONDS (default 300): how long apt-get waits when another process (an update,
# unattended-upgrades) holds the package manager's lock, before the install counts as failed.

APT_LOCK_WAIT_SECONDS="${APT_LOCK_WAIT_SECONDS:-300}"
VOIKKO_PACKAGES=(libvoikko1 voikko-fi)

say() { printf '%s: %s\n' "$SETUP_NAME" "$*"; }

# pip into .venv, quiet. A pip configuration may name a local index folder that is not there; pip
# then warns once per package ("Location ... is ignored: it is neither a file nor a directory"):
# those lines are dropped, anything else (an error) is shown.
pip_install() {
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "$@" 2>&1 \
    | { grep -v 'is ignored: it is neither a file nor a directory' || true; }
}

# How apt-get can be run here: directly as root, through sudo otherwise (without a terminal only a
# sudo that asks no password), or not at all (returns non-zero).
_apt_runner() {
  if [ "$(id -u)" = 0 ]; then
    APT_RUNNER=(env)
  elif command -v sudo >/dev/null && { [ -t 0 ] || sudo -n true 2>/dev/null; }; then
    APT_RUNNER=(sudo env)
  else
    return 1
  fi
}

# apt-get ARGS..., waiting for a busy lock: the dpkg locks through DPkg::Lock::Timeout, the package
# lists' lock (which that option does not cover) by trying again. On failure the end of its output
# is shown, and APT_LOCKED=1 says that the lock was still held at the end.
_apt_get() {
  local deadline=$((SECONDS + APT_LOCK_WAIT_SECONDS)) output status
  APT_LOCKED=0
  while :; do
    status=0
    output=$("${APT_RUNNER[@]}" LC_ALL=C DEBIAN_FRONTEND=noninteractive apt-get -y -qq \
      -o "DPkg::Lock::Timeout=$((deadline - SECONDS > 1 ? deadline - SECONDS : 1))" "$@" 2>&1) || status=$?
    [ "$status" = 0 ] && return 0
    if [[ "$output" == *"Could not get lock"* || "$output" == *"Unable to acquire the dpkg"*"lock"* ||
          "$output" == *"Unable to lock"* ]]; then  # no lock (its messages once DPkg::Lock::Timeout has run out)
      APT_LOCKED=1
      if [ "$SECONDS" -lt "$deadline" ]; then
        sleep 5
        continue
      fi
    fi
    printf '%s\n' "$output" | tail -n 5 | sed 's/^/    /' >&2
    return "$status"
  done
}

# apt-get install PACKAGES..., with a fresh package list if the first try fails for want of one;
# non-zero when it failed or apt-get cannot be run here (see can_apt_install).
apt_install() {
  APT_LOCKED=0
  can_apt_install || return 1
  _apt_get install "$@" 2>/dev/null && return 0
  [ "$APT_LOCKED" = 1 ] && return 1
  _apt_get update && _apt_get install "$@"
}

can_apt_install() { command -v apt-get >/dev/null && _apt_runner; }

debian_packages_installed() { command -v dpkg >/dev/null && dpkg -s "$@" >/dev/null 2>&1; }

# Voikko, the Finnish morphology hyte/finnish.py lemmatises with (C library + Finnish dictionary;
# the Python binding libvoikko comes from pyproject.toml): from Debian's packages when apt is here.
install_voikko() {
  debian_packages_installed "${VOIKKO_PACKAGES[@]}" && return 0
  command -v apt-get >/dev/null || return 0  # elsewhere the package manager is the user's: see voikko_works
  if ! can_apt_install; then
    say "Voikko (${VOIKKO_PACKAGES[*]}) is not installed, and installing it needs root or sudo"
    return 0
  fi
  say "installing Voikko (${VOIKKO_PACKAGES[*]}) with apt-get (waiting up to ${APT_LOCK_WAIT_SECONDS} s if another install holds the package lock)"
  if ! apt_install "${VOIKKO_PACKAGES[@]}"; then
    if [ "$APT_LOCKED" = 1 ]; then
      say "Voikko was not installed: another process still held the package lock after ${APT_LOCK_WAIT_SECONDS} s"
    else
      say "Voikko was not installed: apt-get failed (above)"
    fi
  fi
}

# Whether the installed bot can use Voikko (after pip_install).
voikko_works() {
  .venv/bin/python -c 'import sys, hyte.finnish as f; sys.exit(0 if f.lemmatiser_available() else 1)' 2>/dev/null
}

# LibreOffice (Writer and Calc) and poppler's pdftoppm, to look at the exports as pages: only
# scripts/convert_exports.sh asks for them (not .ci/run: the tests read the files with the
# libraries that write them). Non-zero when they are not there and cannot be installed here.
OFFICE_PACKAGES=(libreoffice-writer libreoffice-calc poppler-utils)
install_office() {
  command -v soffice >/dev/null && command -v pdftoppm >/dev/null && return 0
  if ! command -v apt-get >/dev/null || ! can_apt_install; then
    say "LibreOffice and pdftoppm are not installed; install ${OFFICE_PACKAGES[*]} (or your system's LibreOffice and poppler)"
    return 1
  fi
  say "installing ${OFFICE_PACKAGES[*]} with apt-get (several minutes the first time)"
  apt_install --no-install-recommends "${OFFICE_PACKAGES[@]}" || { say "apt-get failed (above)"; return 1; }
}
