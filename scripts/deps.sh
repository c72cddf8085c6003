#!/usr/bin/env bash
# Installs the Debian packages ddsafe needs to build, test and demonstrate, if any is missing.
# Usage: scripts/deps.sh [extra-package...]
set -euo pipefail
packages=(cmake g++ make pkg-config util-linux procps python3
  libfmt-dev libspdlog-dev nlohmann-json3-dev libcli11-dev
  catch2 librapidcheck-dev libboost-dev libsimdjson-dev jq strace help2man bubblewrap
  libcurl4-openssl-dev etcd-server etcd-client iproute2 nftables "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  as_root=()
  [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
