#!/usr/bin/env bash
# Installs the Debian 12 packages that retrybench builds and tests with, skipping those
# already present. Run as root (or with sudo). Nothing is downloaded at build time.
set -euo pipefail

build_packages=(cmake g++ make pkg-config libuv1-dev node-llhttp libssl-dev nlohmann-json3-dev
  libcli11-dev libspdlog-dev libfmt-dev)
test_packages=(libgtest-dev libgmock-dev libbenchmark-dev curl python3 python3-urllib3 openssl)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "--with-tests" ]]; then
  wanted+=("${test_packages[@]}")
fi

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
  "${missing[@]}"
