#!/usr/bin/env bash
# The project's pinned Python tools (Schemathesis, for the contract tests in tests/contract), in a virtual
# environment of their own under deploy/local/.cache/python-tools, installed from PyPI with the versions of
# tests/contract/requirements.txt. Reinstalled when that file changes.
#
#   python-tools.sh install   create or update the environment (harmless when current)
#   python-tools.sh bin       print the directory of its executables (installing first if needed)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.cache/python-tools"
REQUIREMENTS="$ROOT/tests/contract/requirements.txt"
STAMP="$VENV/.requirements.sha256"

say() { printf '[python-tools] %s\n' "$*" >&2; }
die() { printf '[python-tools] error: %s\n' "$*" >&2; exit 1; }

install() {
  local want
  want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
  if [ -x "$VENV/bin/schemathesis" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; then return; fi
  command -v python3 >/dev/null 2>&1 || die "python3 is required (3.9 or newer) for the contract tests"
  say "installing the pinned Python tools from PyPI (first run only, a minute)..."
  rm -rf "$VENV"
  python3 -m venv "$VENV" || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$REQUIREMENTS" >&2 ||
    die "pip could not install tests/contract/requirements.txt (see above)"
  echo "$want" >"$STAMP"
  say "installed: $("$VENV/bin/schemathesis" --version)"
}

case "${1:-}" in
  install) install ;;
  bin)
    install
    echo "$VENV/bin"
    ;;
  *)
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
