#!/usr/bin/env bash
# Runs every RingTracker test on a Debian machine: installs what is missing (liburing, zlib, zstd, and
# python3-libtorrent for the real-client download test), builds, and runs the whole suite — unit,
# end-to-end over loopback on both I/O backends, the daemon binary, and libtorrent downloads.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in liburing-dev zlib1g-dev libzstd-dev python3-libtorrent; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

swift build --build-tests
swift test --skip-build
