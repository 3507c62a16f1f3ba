#!/usr/bin/env bash
# Sync cost: node A (one UDP worker) is driven by ringflood at the highest rate it sustains while
# it syncs every change to node B by signed unicast. Reports CPU per synced peer on the sender's
# sync thread and the receiver's sync thread (from /proc/PID/task/*/stat), bytes on the wire per
# synced peer and per announce (from /metrics). A and B run in two network namespaces this script
# creates (a veth pair, 10.212.0.0/24) and always deletes. Root; < 1 minute.
#
# usage: bench/cluster/run.sh [RINGTRACKER [RINGFLOOD]]   (default: .build/release/…)
set -euo pipefail
cd "$(dirname "$0")/../.."
tracker=${1:-.build/release/ringtracker}
flood=${2:-.build/release/ringflood}
[ "$(id -u)" -eq 0 ] || { echo "needs root (ip netns)" >&2; exit 1; }
p="rtb$$"
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "${p}a" 2>/dev/null || true
    ip netns del "${p}b" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

ip netns add "${p}a"; ip netns add "${p}b"
ip link add eth0 netns "${p}a" type veth peer name eth0 netns "${p}b"
for n in a b; do ip -n "${p}$n" link set lo up; ip -n "${p}$n" link set eth0 up; done
ip -n "${p}a" addr add 10.212.0.1/24 dev eth0
ip -n "${p}b" addr add 10.212.0.2/24 dev eth0
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/cluster.key"

start() { # ns cpu peer-address log (peer "none": no cluster, the baseline)
    local cluster=(--cluster-node "$3:9696" --cluster-allow 10.212.0.0/24 --cluster-key "$work/cluster.key")
    [ "$3" = none ] && cluster=()
    ip netns exec "$1" "$tracker" --udp 127.0.0.1:6969 --http 127.0.0.1:6969 --cpus "$2" --io-backend mmsg \
        --max-new-torrents-per-minute 0 --max-torrents 0 --max-memory 0 \
        "${cluster[@]}" >"$4" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q listening "$4" && return 0; sleep 0.05; done
    echo "node in $1 did not start" >&2; cat "$4" >&2; exit 1
}
start "${p}a" 0 10.212.0.2 "$work/a.log"; pid_a=${pids[0]}
start "${p}b" 1 10.212.0.1 "$work/b.log"; pid_b=${pids[1]}
# `ip netns exec` execs the tracker, so the PIDs are the trackers'.

thread_ticks() { # pid comm → utime+stime ticks of that thread
    local total=0
    for stat in /proc/"$1"/task/*/stat; do
        local line; line=$(cat "$stat" 2>/dev/null) || continue
        local comm=${line#*(}; comm=${comm%%)*}
        [ "$comm" = "$2" ] || continue
        local rest=${line##*) }; set -- $rest
        total=$((total + ${12} + ${13}))
    done
    echo "$total"
}

send0=$(thread_ticks "$pid_a" sync-send); recv0=$(thread_ticks "$pid_b" sync-recv-0)
worker0=$(thread_ticks "$pid_a" udp-0)
started=$(date +%s.%N)
ip netns exec "${p}a" "$flood" --target 127.0.0.1:6969 --torrents 200000 --peers 600000 --warmup 2 --warmup-limit 25 \
    --duration 8 --cpus 1 --sockets 64 --sources 64 --json >"$work/flood.json"
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
sleep 1.5   # the last partial packets (flush delay 1 s)
send1=$(thread_ticks "$pid_a" sync-send); recv1=$(thread_ticks "$pid_b" sync-recv-0)
worker1=$(thread_ticks "$pid_a" udp-0)
hz=$(getconf CLK_TCK)
ip netns exec "${p}a" curl -s http://127.0.0.1:6969/metrics >"$work/a.metrics"
ip netns exec "${p}b" curl -s http://127.0.0.1:6969/metrics >"$work/b.metrics"

# Baseline: the same load on a node without cluster sync, for the worker's CPU per announce.
kill "$pid_a"; wait "$pid_a" 2>/dev/null || true
start "${p}a" 0 none "$work/a0.log"; pid_a0=${pids[-1]}
base0=$(thread_ticks "$pid_a0" udp-0)
ip netns exec "${p}a" "$flood" --target 127.0.0.1:6969 --torrents 200000 --peers 600000 --warmup 2 --warmup-limit 25 \
    --duration 8 --cpus 1 --sockets 64 --sources 64 --json >"$work/flood0.json"
base1=$(thread_ticks "$pid_a0" udp-0)
ip netns exec "${p}a" curl -s http://127.0.0.1:6969/metrics >"$work/a0.metrics"
python3 - "$hz" "$elapsed" "$((send1 - send0))" "$((recv1 - recv0))" "$((worker1 - worker0))" "$work" "$((base1 - base0))" <<'PY'
import json, sys
hz, elapsed, send, recv, worker = map(float, sys.argv[1:6])
work = sys.argv[6]
base = float(sys.argv[7])
flood = json.load(open(f"{work}/flood.json"))

def metric(node, name, *labels):
    """Sum of the series `name` whose labels include every `labels` pair text."""
    total = 0.0
    for line in open(f"{work}/{node}.metrics"):
        if line.startswith(name + "{") or line.startswith(name + " "):
            if all(label in line for label in labels):
                total += float(line.split()[-1])
    return total

announces = metric("a", "ringtracker_responses_total", 'action="announce"', 'outcome="ok"', 'protocol="udp"')
sent = metric("a", "ringtracker_cluster_peers_total", 'direction="sent"')
nbytes = metric("a", "ringtracker_cluster_bytes_total", 'direction="sent"')
packets = metric("a", "ringtracker_cluster_packets_total", 'direction="sent"')
received = metric("b", "ringtracker_cluster_peers_total", 'direction="received"')
overflows = metric("a", "ringtracker_cluster_queue_overflows_total")
us = lambda ticks, n: ticks / hz * 1e6 / max(n, 1)
print(f"run seconds (warm-up + measured)      {elapsed:.1f}")
print(f"announces answered by A               {announces:.0f} ({announces / elapsed:.0f}/s over the run)")
print(f"ringflood measured phase              {flood['announcesPerSecond']:.0f} announces/s over {flood['seconds']:.1f} s (warm-up {flood['warmupSeconds']:.1f} s)")
print(f"peer changes synced A→B               {sent:.0f} sent, {received:.0f} applied on B, {overflows:.0f} ring overflows")
print(f"packets A→B                           {packets:.0f} ({sent / max(packets, 1):.1f} peers/packet)")
print(f"sender sync thread CPU per synced peer  {us(send, sent):.3f} µs")
print(f"receiver sync thread CPU per peer       {us(recv, received):.3f} µs")
print(f"A's UDP worker CPU per announce         {us(worker, announces):.3f} µs (includes the ring push)")
base_announces = metric("a0", "ringtracker_responses_total", 'action="announce"', 'outcome="ok"', 'protocol="udp"')
flood0 = json.load(open(f"{work}/flood0.json"))
print(f"same, node without cluster (baseline)   {us(base, base_announces):.3f} µs; measured phase {flood0['announcesPerSecond']:.0f} announces/s")
print(f"wire bytes per synced peer             {(nbytes + 28 * packets) / max(sent, 1):.1f} B (UDP payload {nbytes / max(sent, 1):.1f} B + IPv4/UDP headers)")
print(f"wire bytes per announce                {(nbytes + 28 * packets) / max(announces, 1):.1f} B per destination node")
PY
