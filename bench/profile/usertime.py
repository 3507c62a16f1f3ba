#!/usr/bin/env python3
"""bench/profile/usertime.py REPS DISTRIBUTION label=RINGTRACKER_BINARY ...

User and system CPU µs per response of RingTracker (io_uring, one worker on CPU 0) at peak, for an
A/B of builds: per rep and binary, a fresh server, a populating peak run (1M torrents / 2M peers,
ringflood on CPU 1 with --distribution DISTRIBUTION), then a 10 s --resume peak run bracketed by
/proc/PID/stat. Binaries are interleaved. Needs a release ringflood in .build/release."""
import json, os, subprocess, sys, time, signal
reps, dist = int(sys.argv[1]), sys.argv[2]
pairs = [a.split("=", 1) for a in sys.argv[3:]]
FLOOD = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), ".build", "release", "ringflood")
tick = os.sysconf("SC_CLK_TCK")
def stat(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]), int(f[12])
res = {l: [] for l, _ in pairs}
for r in range(reps):
    for label, binary in pairs:
        for backend in ("io_uring",):
            p = subprocess.Popen(["taskset", "-c", "0", binary, "--udp", "127.0.0.1:17969", "--cpus", "0", "--io-backend", backend,
                                  "--log-level", "notice", "--max-new-torrents-per-minute", "0", "--max-torrents", "0", "--max-memory", "0"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)  # bound and listening well before this
            base = ["taskset", "-c", "1", FLOOD, "--target", "127.0.0.1:17969", "--torrents", "1000000", "--peers", "2000000",
                    "--seed", "1", "--cpus", "1", "--json", "--distribution", dist, "--window", "128"]
            subprocess.run(base + ["--duration", "3", "--warmup", "5", "--warmup-limit", "60"], check=True, capture_output=True)
            u0, s0 = stat(p.pid)
            out = json.loads(subprocess.run(base + ["--resume", "--duration", "10", "--warmup", "1", "--warmup-limit", "1"],
                                            check=True, capture_output=True).stdout)
            u1, s1 = stat(p.pid)
            p.send_signal(signal.SIGTERM); p.wait(10)
            rps = out["responsesPerSecond"]
            # The bracket spans the 1 s warm-up and the 10 s measured phase at the same rate.
            user = (u1 - u0) / tick * 1e6 / (rps * 11)
            sysc = (s1 - s0) / tick * 1e6 / (rps * 11)
            res[label].append((rps, user, sysc))
            print(f"rep {r+1} {label}: {rps:,.0f} resp/s, user {user:.3f} µs/resp, sys {sysc:.3f}", flush=True)
for label, v in res.items():
    v2 = sorted(x[1] for x in v)
    print(f"{label}: median user {v2[len(v2)//2]:.3f} µs/resp; peaks {[round(x[0]) for x in v]}")
