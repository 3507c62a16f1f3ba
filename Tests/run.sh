#!/usr/bin/env bash
# Runs every RingTracker test on a Debian machine: installs what is missing (scripts/install-deps
# --test: liburing, zlib, python3-libtorrent and aria2 for the real-client downloads, prometheus for
# promtool, systemd for systemd-analyze, binutils, iproute2), builds, and runs the whole suite —
# unit, end-to-end over loopback on both I/O backends with one and the default number of workers,
# the daemon binary, and real-client downloads. A missing prerequisite (io_uring, libtorrent,
# aria2) fails the suite unless RINGTRACKER_ALLOW_SKIP names it (e.g. io_uring,aria2).
#
# As root it also builds the release binary once (static Swift standard library) and the .deb
# from it, for the deployment tests: the binary run with the toolchain hidden, dpkg -i / -r.
# RINGTRACKER_SKIP_RELEASE=1 skips that build; those tests then show as skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps --test
swift build --build-tests
if [ "$(id -u)" -eq 0 ] && [ "${RINGTRACKER_SKIP_RELEASE:-0}" != 1 ]; then
    swift build -c release --static-swift-stdlib --product ringtracker
    export RINGTRACKER_RELEASE_BINARY
    RINGTRACKER_RELEASE_BINARY="$(swift build -c release --static-swift-stdlib --show-bin-path)/ringtracker"
    export RINGTRACKER_DEB
    RINGTRACKER_DEB=$(contrib/package-deb .build/deb)
fi
swift test --skip-build
