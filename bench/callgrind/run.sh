#!/usr/bin/env bash
# User-space instructions per announce, counted by valgrind's callgrind on the tracker process
# (the method issue 3 names: a fixed load of announces minus an idle run of the same length).
#
#   bench/callgrind/run.sh [--backend mmsg|io_uring] [--window 256] [--secs 20] [--torrents 100000]
#                          [--peers 200000] [--opentracker]
#
# 1. start the tracker under `valgrind --tool=callgrind` (one UDP worker on CPU 0, ringflood on CPU 1),
# 2. populate it: every peer announces its torrent once (popularity law; not counted),
# 3. zero the counters, re-announce for --secs seconds in a closed loop of --window outstanding
#    requests (ringflood --resume: the same peers, the same torrents), dump: "loaded",
# 4. zero again, stay idle for the same wall time, dump: "idle",
# 5. print (Ir loaded − Ir idle) ÷ responses.
# With --opentracker, Debian's opentracker (whitelisted with the same hashes) is measured instead.
# KEEP=1 keeps the dump directory (for bench/callgrind/selfcost.py); CALLGRIND_OPTS is passed on to
# valgrind (e.g. --dump-instr=yes for per-instruction counts to read against objdump).
# Callgrind slows the tracker ~50×, so the closed loop keeps it saturated: its receive batches
# are full, as under real load. Losses are reported; the division uses responses answered.
set -euo pipefail

AS=()
BACKEND=mmsg WINDOW=256 SECS=20 TORRENTS=100000 PEERS=200000 OT=0
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
while [ $# -gt 0 ]; do
  case "$1" in
    --backend) BACKEND="$2"; shift 2 ;;
    --window) WINDOW="$2"; shift 2 ;;
    --secs) SECS="$2"; shift 2 ;;
    --torrents) TORRENTS="$2"; shift 2 ;;
    --peers) PEERS="$2"; shift 2 ;;
    --opentracker) OT=1; shift ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
for tool in valgrind callgrind_control objcopy setpriv taskset python3; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y valgrind)" >&2; exit 1; }
done
RINGTRACKER="$ROOT/.build/release/ringtracker"
RINGFLOOD="$ROOT/.build/release/ringflood"
[ -x "$RINGTRACKER" ] && [ -x "$RINGFLOOD" ] || { echo "build first: swift build -c release" >&2; exit 1; }

DIR="$(mktemp -d /tmp/ringtracker-callgrind.XXXXXX)"
chmod 755 "$DIR"
PID=""
cleanup() {
  if [ -n "$PID" ]; then kill -INT "$PID" 2>/dev/null || true; sleep 1; kill -9 "$PID" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then echo "kept $DIR (bench/callgrind/selfcost.py $DIR)"; else rm -rf "$DIR"; fi
}
trap cleanup EXIT
# Valgrind 3.19 cannot read the DWARF 5 the Swift toolchain emits: measure a copy without debug
# info (the symbol table stays, so callgrind_annotate still names functions).
objcopy --strip-debug "$RINGTRACKER" "$DIR/ringtracker"
PORT="$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
FLOOD=(taskset -c 1 "$RINGFLOOD" --target "127.0.0.1:$PORT" --torrents "$TORRENTS" --peers "$PEERS" --seed 1 --cpus 1
       --json --timeout-ms 2000)

if [ "$OT" = 1 ]; then
  "$RINGFLOOD" --torrents "$TORRENTS" --seed 1 --write-whitelist "$DIR/wl.txt" >/dev/null
  chmod 644 "$DIR/wl.txt"
  # opentracker drops to nobody; valgrind's control FIFOs must belong to the user it runs as,
  # so valgrind runs as nobody from the start and is controlled as nobody.
  chmod 777 "$DIR"
  AS=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  taskset -c 0 "${AS[@]}" valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" ${CALLGRIND_OPTS:-} \
    opentracker -i 127.0.0.1 -p "$PORT" -P "$PORT" -w "$DIR/wl.txt" >"$DIR/tracker.log" 2>&1 &
  NAME="opentracker (Debian)"
else
  taskset -c 0 valgrind --tool=callgrind --callgrind-out-file="$DIR/cg.out" ${CALLGRIND_OPTS:-} \
    "$DIR/ringtracker" --udp "127.0.0.1:$PORT" --cpus 0 --io-backend "$BACKEND" --log-level warning \
        --max-new-torrents-per-minute 0 --max-torrents 0 --max-memory 0 \
    >"$DIR/tracker.log" 2>&1 &
  NAME="RingTracker ($BACKEND)"
fi
PID=$!
control() { "${AS[@]}" callgrind_control "$@" >/dev/null; }

# Ready when a BEP 15 connect is answered (bounded: 60 s).
python3 - "$PORT" <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1]); s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
deadline = time.time() + 60
while time.time() < deadline:
    s.sendto(struct.pack(">QII", 0x41727101980, 0, 7), ("127.0.0.1", port))
    try:
        if len(s.recv(64)) == 16: sys.exit(0)
    except OSError: pass
sys.exit("tracker never answered")
PY

# Populate: every peer announces once (not measured).
"${FLOOD[@]}" --scrape-weight 0 --completed-probability 0 --stopped-probability 0 \
  --warmup 0 --warmup-limit 900 --duration 1 --window 64 > "$DIR/populate.json"

summary() { python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
c = d["totalCounts"]
print(c["connects"] + c["announces"] + c["scrapes"], c["lost"],
      c["errorReplies"] + c["badAction"] + c["badLength"] + c["unknownTID"])
PY
}

control -z "$PID"
START=$(date +%s.%N)
"${FLOOD[@]}" --resume --scrape-weight 0 --warmup 0 --window "$WINDOW" --duration "$SECS" > "$DIR/load.json"
control -d loaded "$PID"
WALL=$(python3 -c "import time; print(time.time() - $START)")
control -z "$PID"
sleep "$WALL"
control -d idle "$PID"

read -r RESPONSES TIMEOUTS ERRORS < <(summary "$DIR/load.json")
total() {  # Ir of the dump whose trigger names $1
  local f; f="$(grep -l "^desc: Trigger: dump $1\$" "$DIR"/cg.out* | head -1)"
  awk '/^(summary|totals):/ {print $2; exit}' "$f"
}
LOADED="$(total loaded)" IDLE="$(total idle)"
python3 - "$NAME" "$LOADED" "$IDLE" "$RESPONSES" "$TIMEOUTS" "$ERRORS" "$WALL" "$WINDOW" "$TORRENTS" "$PEERS" <<'PY'
import sys
name, loaded, idle, responses, timeouts, errors, wall, window, torrents, peers = sys.argv[1:]
loaded, idle, responses = int(loaded), int(idle), int(responses)
print(f"{name}: {torrents} torrents / {peers} peers populated; closed loop of {window} re-announces for {float(wall):.1f} s wall")
print(f"  Ir loaded {loaded:,}  Ir idle {idle:,}  responses {responses:,}  lost {timeouts}  errors {errors}")
print(f"  user-space instructions per response: {(loaded - idle) / max(responses, 1):,.0f}")
PY
