#!/usr/bin/env bash
# Prepare this machine for hoso: Debian packages that are missing, then the local venv.
# Idempotent and quick when nothing changed (a stamp records the installed pyproject).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the system needs at run time (fonts and Pango for rendering come with
# the issuance work; listed in scripts/debian-packages.txt, one a line).
missing=()
while read -r pkg; do
  [[ -z "$pkg" || "$pkg" == \#* ]] && continue
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/debian-packages.txt
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "bootstrap: creating .venv with $($PYTHON --version)" >&2
  "$PYTHON" -m venv .venv
fi
stamp=.venv/.hoso-installed
if [[ ! -f $stamp ]] || ! cmp -s pyproject.toml "$stamp"; then
  echo "bootstrap: installing Python packages into .venv" >&2
  if ! .venv/bin/python -m pip install -q -e '.[test]' >.venv/pip-install.log 2>&1; then
    cat .venv/pip-install.log >&2
    echo "bootstrap: pip install failed (log above, also in .venv/pip-install.log)" >&2
    exit 1
  fi
  cp pyproject.toml "$stamp"
fi
