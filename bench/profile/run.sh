#!/usr/bin/env bash
# Where the worker CPU's time goes at peak: `perf record` (cpu-clock sampling, call graphs) of CPU 0
# while ringflood drives a closed loop from CPU 1, for RingTracker on each backend and for the bare
# path (ringflood's null responder) on each backend, one after the other, fresh server each.
#
#   bench/profile/run.sh [--secs 8] [--torrents 1000000] [--peers 2000000] [--servers "rt-uring rt-mmsg null-uring null-mmsg"] [--keep DIR]
#
# Per server: the kernel/user split of CPU 0 (perf's own samples), the top symbols (self time) and
# the top call chains into the kernel send and receive paths, and CPU 0's time per response grouped by
# bench/profile/groups.py (own code, io_uring layer, usercopy checks, syscalls, network stack, idle),
# in bench/results/DATE-profile.md. --keep DIR keeps each server's perf.data and ringflood result.
# Needs perf (linux-perf) and root (system-wide sampling of CPU 0). The VM has no hardware PMU, so
# samples are cpu-clock (time), not cycles or instructions.
set -euo pipefail
SECS=8 TORRENTS=1000000 PEERS=2000000 SERVERS="rt-uring rt-mmsg null-uring null-mmsg" KEEP=""
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) SECS="$2"; shift 2 ;;
    --torrents) TORRENTS="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --servers) SERVERS="$2"; shift 2 ;;
    --keep) KEEP="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
command -v perf >/dev/null || { echo "missing perf (apt-get install -y linux-perf)" >&2; exit 1; }
BIN="$ROOT/.build/release"
[ -x "$BIN/ringtracker" ] && [ -x "$BIN/ringflood" ] || { echo "build first: swift build -c release" >&2; exit 1; }
TMP=$(mktemp -d /tmp/ringprofile.XXXXXX)
STAMP=$(date -u +%Y-%m-%d-%H%M)
OUT="$ROOT/bench/results/$STAMP-profile.md"
PORT=17321
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$TMP"' EXIT

{
  echo "# Worker CPU profile at peak — $(date -u '+%Y-%m-%d %H:%M') UTC"
  echo
  echo "Produced by \`bench/profile/run.sh --secs $SECS --torrents $TORRENTS --peers $PEERS --servers \"$SERVERS\"\` at"
  echo "\`$(git -C "$ROOT" rev-parse --short HEAD)\`; kernel \`$(uname -r)\`; $(nproc) CPUs; load before \`$(cut -d' ' -f1-3 /proc/loadavg)\`."
  echo "Server on CPU 0 (\`taskset -c 0\`, one worker), ringflood on CPU 1 (closed loop, window 128), \`perf record -F 1999 -g -C 0\`"
  echo "for $SECS s once the warm-up (every peer announced once) is over. cpu-clock samples: shares of CPU 0's time."
  echo
} >"$OUT"

for kind in $SERVERS; do
  case "$kind" in
    rt-uring|rt-mmsg)
      backend=$([ "$kind" = rt-uring ] && echo io_uring || echo mmsg)
      taskset -c 0 "$BIN/ringtracker" --udp "127.0.0.1:$PORT" --cpus 0 --io-backend "$backend" --log-level warning \
        --max-new-torrents-per-minute 0 --max-torrents 0 --max-memory 0 2>"$TMP/$kind.err" &
      ;;
    null-uring|null-mmsg)
      backend=$([ "$kind" = null-uring ] && echo io_uring || echo mmsg)
      taskset -c 0 "$BIN/ringflood" --null-responder --listen "127.0.0.1:$PORT" --backend "$backend" --cpus 0 \
        --lifetime 900 2>"$TMP/$kind.err" &
      ;;
    *) echo "unknown server $kind" >&2; exit 2 ;;
  esac
  SERVER=$!
  sleep 2
  # Warm-up (populate) then a long measured phase; perf samples its middle.
  taskset -c 1 "$BIN/ringflood" --target "127.0.0.1:$PORT" --torrents "$TORRENTS" --peers "$PEERS" --seed 1 --cpus 1 \
    --warmup 3 --duration $((SECS + 6)) --pid "$SERVER" --json >"$TMP/$kind.json" 2>"$TMP/$kind.flood" &
  FLOOD=$!
  # Wait for the measured phase: ringflood prints per-second lines only after the warm-up.
  for _ in $(seq 1 240); do
    grep -q " measure " "$TMP/$kind.flood" 2>/dev/null && break
    sleep 0.5
  done
  sleep 2
  perf record -q -F 1999 -g -C 0 -o "$TMP/$kind.data" -- sleep "$SECS" 2>/dev/null
  wait $FLOOD || true
  kill $SERVER 2>/dev/null || true
  wait $SERVER 2>/dev/null || true
  rps=$(python3 -c "import json;r=json.load(open('$TMP/$kind.json'));print(f\"{r['responsesPerSecond']:,.0f} resp/s, p99 {r['latencyMicroseconds']['p99']} µs, server CPU {r.get('trackerCPUMicrosecondsPerResponse') or 0:.3f} µs/resp\")" 2>/dev/null || echo "no result")
  total=$(perf report -i "$TMP/$kind.data" --stdio --no-children --sort dso 2>/dev/null | grep -E '^\s+[0-9.]+%' || true)
  {
    echo "## $kind: $rps"
    echo
    echo "By object (self):"
    echo '```'
    echo "$total" | head -12 || true
    echo '```'
    echo "Top symbols (self):"
    echo '```'
    # head closes the pipe early: perf's SIGPIPE is expected, not a failure.
    perf report -i "$TMP/$kind.data" --stdio --no-children --sort sym -g none 2>/dev/null | grep -E '^\s+[0-9.]+%' | head -30 || true
    echo '```'
    echo "CPU 0's time per response, grouped (1 s ÷ responses/s × each group's share of the samples):"
    echo '```'
    perf report -i "$TMP/$kind.data" --stdio --no-children --sort dso,sym -g none 2>/dev/null \
      | python3 "$HERE/groups.py" --json "$TMP/$kind.json" || true
    echo '```'
    echo
  } >>"$OUT"
  if [ -n "$KEEP" ]; then mkdir -p "$KEEP" && cp "$TMP/$kind.data" "$TMP/$kind.json" "$KEEP/"; fi
  echo "profile: $kind: $rps" >&2
done
echo "profile: wrote $OUT" >&2
