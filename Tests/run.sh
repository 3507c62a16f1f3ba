#!/usr/bin/env bash
# Runs every RingTracker test on a Debian machine: installs what is missing (liburing, zlib,
# python3-libtorrent for the real-client download test, prometheus for promtool, systemd for
# systemd-analyze), builds, and runs the whole suite — unit, end-to-end over loopback on both I/O
# backends, the daemon binary, and libtorrent downloads.
#
# As root it also builds the release binary once (static Swift standard library) and the .deb
# from it, for the deployment tests: the binary run with the toolchain hidden, dpkg -i / -r.
# RINGTRACKER_SKIP_RELEASE=1 skips that build; those tests then show as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for package in liburing-dev zlib1g-dev python3-libtorrent prometheus systemd binutils; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

swift build --build-tests
if [ "$(id -u)" -eq 0 ] && [ "${RINGTRACKER_SKIP_RELEASE:-0}" != 1 ]; then
    swift build -c release --static-swift-stdlib --product ringtracker
    export RINGTRACKER_RELEASE_BINARY
    RINGTRACKER_RELEASE_BINARY="$(swift build -c release --static-swift-stdlib --show-bin-path)/ringtracker"
    export RINGTRACKER_DEB
    RINGTRACKER_DEB=$(contrib/package-deb .build/deb)
fi
swift test --skip-build
