#!/usr/bin/env bash
# Installs the Debian packages dmlssim needs, if any is missing. Uses apt-get directly as root,
# through sudo otherwise; when neither is possible, names the packages to install and fails.
set -euo pipefail

packages=(
  build-essential cmake git
  libboost-graph-dev libboost-program-options-dev
  libssl-dev libeigen3-dev libyaml-cpp-dev nlohmann-json3-dev catch2
  python3-pandas
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "dmlssim: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  run=(sudo)
else
  echo "dmlssim: cannot install packages (not root, no password-less sudo)." >&2
  echo "Please run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${run[@]}" apt-get update -qq
"${run[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
