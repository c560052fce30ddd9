#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for PREP Abierto and runs one job.
#   installer/bootstrap.sh run    # set up, then run the main job on embedded defaults
#   installer/bootstrap.sh test   # set up, then run linters and the whole test suite
# Idempotent: packages already present are not reinstalled.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV="${PREP_VENV:-$ROOT/.venv}"

APT_PACKAGES=(tesseract-ocr tesseract-ocr-spa libzbar0 sane-utils libsane1 libsane-dev
  xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libegl1 libgl1 libxkbcommon0
  libfontconfig1 libdbus-1-3 postgresql chromium poppler-utils)

install_apt() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "==> apt-get install ${missing[*]}"
  local SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_python() {
  local stamp="$VENV/.prep-installed"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating virtual environment $VENV"
    python3 -m venv "$VENV"
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "==> installing Python packages"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q -e ".[dev,scanner]"
    touch "$stamp"
  fi
}

job="${1:-run}"
shift || true
install_apt
install_python
export PATH="$VENV/bin:$PATH"
case "$job" in
  setup) echo "ready: $VENV" ;;
  run) exec prep demo "$@" ;;
  test) exec "$ROOT/installer/check.sh" "$@" ;;
  *) echo "usage: installer/bootstrap.sh run|test|setup" >&2; exit 2 ;;
esac
