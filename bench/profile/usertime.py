#!/usr/bin/env python3
"""bench/profile/usertime.py [--reps 3] [--distribution seq] [--backend io_uring] label=RINGTRACKER ...

User and system CPU µs per response of RingTracker builds at peak, for an A/B of one change: per
rep and build (interleaved), a fresh server started as bench/compare starts it (CPU 0, one worker,
ready on a probe), a populating peak run of ringflood on CPU 1 (1M torrents / 2M peers), then a
`--resume` peak run with no warm-up whose whole life /proc/PID/stat brackets. bench/compare
reports utime+stime only; the tracker's own code is ≈ 20 % of that, so a change to it shows here.
Needs release ringtracker/ringflood in .build/release (ringflood writes the probe's whitelist)."""
import argparse, importlib.machinery, importlib.util, os, statistics, subprocess, sys, tempfile, shutil

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("compare", os.path.join(HERE, "..", "compare"))
_spec = importlib.util.spec_from_loader("compare", _loader)
compare = importlib.util.module_from_spec(_spec)
_loader.exec_module(compare)


def cpu_ticks(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(fields[11]), int(fields[12])   # utime, stime (fields 14 and 15)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("builds", nargs="+", metavar="label=PATH")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--distribution", default="seq")
    ap.add_argument("--backend", default="io_uring", choices=["io_uring", "mmsg"])
    ap.add_argument("--secs", type=float, default=10)
    ap.add_argument("--torrents", type=int, default=1_000_000)
    ap.add_argument("--peers", type=int, default=2_000_000)
    ap.add_argument("--port", type=int, default=17969)
    ap.add_argument("--warmup-limit", type=float, default=60)
    ap.add_argument("--window", type=int, default=128, help="closed-loop window, as bench/compare's peak (default 128)")
    args = ap.parse_args()
    builds = [b.split("=", 1) for b in args.builds]
    kind = "rt-uring" if args.backend == "io_uring" else "rt-mmsg"
    tick = os.sysconf("SC_CLK_TCK")
    tmp = tempfile.mkdtemp(prefix="ringusertime-")
    whitelist = os.path.join(tmp, "whitelist.txt")
    subprocess.run([os.path.join(compare.BIN, "ringflood"), "--torrents", str(args.torrents), "--seed", "1",
                    "--write-whitelist", whitelist], check=True, stderr=subprocess.DEVNULL)
    with open(whitelist) as f:
        first_hash = bytes.fromhex(f.readline().strip())
    results = {label: [] for label, _ in builds}
    try:
        for rep in range(args.reps):
            for label, binary in builds:
                server = compare.Server(kind, args, tmp, first_hash, binary=os.path.abspath(binary))
                try:
                    compare.flood(args, server, tmp, f"rep {rep + 1} {label} populate",
                                  ["--window", str(args.window), "--duration", "3", "--warmup", "5", "--warmup-limit", str(args.warmup_limit)])
                    user0, sys0 = cpu_ticks(server.pid)
                    out = compare.flood(args, server, tmp, f"rep {rep + 1} {label} measured",
                                        ["--resume", "--window", str(args.window), "--duration", str(args.secs), "--warmup", "0", "--warmup-limit", "0"])
                    user1, sys1 = cpu_ticks(server.pid)
                finally:
                    server.stop()
                # No warm-up: the bracket holds the flood's whole run, so its totals are the count.
                counts = out["totalCounts"]
                responses = counts["connects"] + counts["announces"] + counts["scrapes"]
                user = (user1 - user0) / tick * 1e6 / responses
                system = (sys1 - sys0) / tick * 1e6 / responses
                results[label].append((out["responsesPerSecond"], user, system))
                print(f"rep {rep + 1} {label}: {out['responsesPerSecond']:,.0f} resp/s, user {user:.3f} µs/resp, "
                      f"sys {system:.3f}", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    for label, rows in results.items():
        print(f"{label}: median user {statistics.median(r[1] for r in rows):.3f} µs/resp, "
              f"median sys {statistics.median(r[2] for r in rows):.3f}, peaks {[round(r[0]) for r in rows]}")


if __name__ == "__main__":
    sys.exit(main())
