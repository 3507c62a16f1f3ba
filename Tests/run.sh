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
#
# After the suite, a fuzz smoke (issue 12): every libFuzzer target in Tests/fuzz for 20 s from its
# seed corpus with a fixed seed (scripts/fuzz; RINGTRACKER_FUZZ_SECONDS changes the time). A crash or
# broken invariant fails the run and keeps its reproducer; RINGTRACKER_SKIP_FUZZ=1 skips the smoke.
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
if [ "${RINGTRACKER_SKIP_FUZZ:-0}" != 1 ]; then
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/ringtracker-fuzz.XXXXXX")
    RINGTRACKER_FUZZ_SCRATCH="$scratch" RINGTRACKER_FUZZ_SEED="${RINGTRACKER_FUZZ_SEED:-1}" \
        bash scripts/fuzz "${RINGTRACKER_FUZZ_SECONDS:-20}"
    rm -rf "$scratch"
fi
