#!/usr/bin/env bash
# HTTP announce benchmark: Debian's opentracker vs RingTracker's HTTP front, same run, same client.
#
# Each tracker is pinned to CPU 0 (taskset), wrk to CPU 1, one tracker at a time. For each
# variant (Connection: close / keep-alive) and repetition it records wrk's req/s and the
# tracker's CPU time (utime+stime from /proc/PID/stat, and utime alone) per completed request, then
# writes the medians and RingTracker/opentracker ratios to bench/results/<date>-<HHMM>-http.md
# (UTC start time, so a second run on the same day does not overwrite the first).
#
#   bench/http/run.sh [--secs 10] [--reps 3] [--hashes 100000] [--conns 32] [--ringtracker PATH [--commit REV]]
#
# --commit names the revision the --ringtracker binary was built from (default: this checkout's HEAD).
#
# Needs: opentracker (Debian, whitelist build), wrk, setpriv, taskset, python3, and a ringtracker
# binary with --http (swift build -c release). Run as root (opentracker drops to nobody).
set -euo pipefail

SECS=10 REPS=3 HASHES=100000 CONNS=32
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
RINGTRACKER="$ROOT/.build/release/ringtracker"
COMMIT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --secs) SECS="$2"; shift 2 ;;
    --reps) REPS="$2"; shift 2 ;;
    --hashes) HASHES="$2"; shift 2 ;;
    --conns) CONNS="$2"; shift 2 ;;
    --ringtracker) RINGTRACKER="$2"; shift 2 ;;
    --commit) COMMIT="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in opentracker wrk setpriv taskset python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$RINGTRACKER" ] || { echo "no ringtracker binary at $RINGTRACKER (swift build -c release)" >&2; exit 1; }

DIR="$(mktemp -d /tmp/ringtracker-http-bench.XXXXXX)"
chmod 755 "$DIR"
PIDS=()
cleanup() { for pid in "${PIDS[@]:-}"; do kill -INT "$pid" 2>/dev/null || true; done; rm -rf "$DIR"; }
trap cleanup EXIT

# Whitelist: HASHES random info_hashes, 40 hex digits a line (opentracker's -w syntax).
python3 -c "import os,sys; sys.stdout.write(''.join(os.urandom(20).hex()+'\n' for _ in range($HASHES)))" > "$DIR/wl.txt"
chmod 644 "$DIR/wl.txt"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
user_ticks() { awk '{print $14}' "/proc/$1/stat"; }
wait_port() {
  for _ in $(seq 1 100); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1',$1),0.2).close()" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "port $1 never opened" >&2; return 1
}

start_tracker() {  # $1 = ot|rt ; prints PID and PORT into globals
  PORT="$(free_port)"
  if [ "$1" = ot ]; then
    taskset -c 0 setpriv --reuid=nobody --regid=nogroup --clear-groups \
      opentracker -i 127.0.0.1 -p "$PORT" -P "$PORT" -w "$DIR/wl.txt" >"$DIR/ot.log" 2>&1 &
  else
    local udp; udp="$(free_port)"
    taskset -c 0 "$RINGTRACKER" --http "127.0.0.1:$PORT" --udp "127.0.0.1:$udp" --cpus 0 --whitelist "$DIR/wl.txt" \
        --max-new-torrents-per-minute 0 --max-torrents 0 --max-memory 0 \
      --log-level warning >"$DIR/rt.log" 2>&1 &
  fi
  PID=$!
  PIDS+=("$PID")
  wait_port "$PORT"
}

stop_tracker() { kill -INT "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

RESULTS="$DIR/results.tsv"
STAMP="$(date -u +%Y-%m-%d-%H%M)"
LOAD_BEFORE="$(cut -d" " -f1-3 /proc/loadavg)"
: > "$RESULTS"
TICK="$(getconf CLK_TCK)"
for variant in close keepalive; do
  for tracker in ot rt; do
    for rep in $(seq 1 "$REPS"); do
      start_tracker "$tracker"
      header=()
      [ "$variant" = close ] && header=(-H 'Connection: close')
      before="$(cpu_ticks "$PID")"
      user_before="$(user_ticks "$PID")"
      taskset -c 1 wrk -t 1 -c "$CONNS" -d "${SECS}s" "${header[@]}" -s "$HERE/announce.lua" \
        "http://127.0.0.1:$PORT/announce" -- "$DIR/wl.txt" > "$DIR/wrk.out" 2>&1 || true
      after="$(cpu_ticks "$PID")"
      user_after="$(user_ticks "$PID")"
      requests="$(awk '/requests in/ {print $1}' "$DIR/wrk.out")"
      rps="$(awk '/Requests\/sec/ {print $2}' "$DIR/wrk.out")"
      non2xx="$(awk '/Non-2xx/ {print $NF}' "$DIR/wrk.out")"
      us="$(python3 -c "print(round(($after-$before)*1e6/$TICK/max(${requests:-0},1),2))")"
      user_us="$(python3 -c "print(round(($user_after-$user_before)*1e6/$TICK/max(${requests:-0},1),2))")"
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$variant" "$tracker" "$rep" "${rps:-0}" "$us" "${non2xx:-0}" "$user_us" | tee -a "$RESULTS"
      stop_tracker
    done
  done
done

OUT="$ROOT/bench/results/$STAMP-http.md"
COMMAND="bench/http/run.sh --secs $SECS --reps $REPS --hashes $HASHES --conns $CONNS"
[ -n "$COMMIT" ] && COMMAND="$COMMAND --ringtracker <binary built at $COMMIT> --commit $COMMIT"
python3 - "$RESULTS" "$OUT" "$COMMAND" "${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD)}" "$(nproc)" "$LOAD_BEFORE / $(cut -d" " -f1-3 /proc/loadavg)" <<'PY'
import statistics, sys
rows = [line.split('\t') for line in open(sys.argv[1]).read().splitlines() if line]
out, command, commit, cpus, load = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
def med(variant, tracker, column):
    values = [float(r[column]) for r in rows if r[0] == variant and r[1] == tracker]
    return statistics.median(values) if values else float('nan')
def spread(variant, tracker, column):
    values = [float(r[column]) for r in rows if r[0] == variant and r[1] == tracker]
    return f"{min(values):,.0f}..{max(values):,.0f}" if values else "-"
lines = [
    f"# HTTP announce: RingTracker vs opentracker ({out.rsplit('/',1)[-1][:15]} UTC)", "",
    f"Command: `{command}` (commit {commit}, {cpus} CPUs). Tracker pinned to CPU 0, wrk `-t1 -c32` pinned to CPU 1,",
    "random whitelisted info_hash per request (bench/http/announce.lua), left=0 with p=0.75, numwant=30, compact=1; both trackers load the same whitelist.",
    "CPU µs/request = tracker utime+stime (/proc/PID/stat) during the run ÷ requests wrk completed. Medians of the reps.",
    f"Load average before / after (1, 5, 15 min): {load}. The machine is shared; compare ratios, not absolutes.", "",
    "| variant | tracker | req/s (median) | min..max | CPU µs/req | of which user | non-2xx |",
    "|---|---|---:|---|---:|---:|---:|",
]
names = {"ot": "opentracker (Debian)", "rt": "RingTracker HTTP"}
for variant in ("close", "keepalive"):
    for tracker in ("ot", "rt"):
        non2xx = sum(int(float(r[5])) for r in rows if r[0] == variant and r[1] == tracker)
        lines.append(f"| {'Connection: close' if variant == 'close' else 'keep-alive'} | {names[tracker]} | "
                     f"{med(variant, tracker, 3):,.0f} | {spread(variant, tracker, 3)} | {med(variant, tracker, 4):.1f} | "
                     f"{med(variant, tracker, 6):.1f} | {non2xx} |")
lines += ["", "Ratios (RingTracker ÷ opentracker):", ""]
for variant in ("close", "keepalive"):
    rps = med(variant, "rt", 3) / med(variant, "ot", 3)
    cpu = med(variant, "rt", 4) / med(variant, "ot", 4)
    label = "Connection: close" if variant == "close" else "keep-alive"
    lines.append(f"- {label}: throughput ×{rps:.2f}, CPU per request ×{cpu:.2f}")
lines += ["", "opentracker (this Debian build) has no keep-alive: it closes after every response, so its",
          "keep-alive row measures reconnects, as in opentracker's own HTTP measurements. wrk counts those closes as read errors.", ""]
open(out, "w").write("\n".join(lines))
print("\n".join(lines))
PY
echo "wrote $OUT"
