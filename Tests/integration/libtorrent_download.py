#!/usr/bin/python3
"""End-to-end tracker test: a seeder and a downloader meet ONLY through the tracker.

A libtorrent seeder session and a downloader (a second libtorrent session in the SAME
process, as real multi-session clients run, or aria2c on a private torrent) listen on
loopback with DHT lookups/LSD/PEX/UPnP/NAT-PMP off and never call connect_peer(), so
the only way the downloader can learn the seeder's address is the tracker's announce
response. PASS = payload downloaded and sha256-identical.

  python3 libtorrent_download.py --tracker udp://127.0.0.1:7000/announce [--timeout 60]
          [--size BYTES] [--payload-seed N] [--ipv6] [--downloader libtorrent|aria2]
  # Whitelisting trackers (e.g. Debian opentracker) need the info-hash up front:
  python3 libtorrent_download.py --tracker URL --payload-seed 42 --print-infohash
  python3 libtorrent_download.py --tracker URL --payload-seed 42 --whitelist-out wl.txt
  (both only build the torrent and exit; then run again with the same seed/size.)

Exit 0 = PASS, 1 = FAIL, 2 = setup error. Use /usr/bin/python3 (Debian's python3-libtorrent).
"""
import argparse, hashlib, os, random, shutil, socket, subprocess, sys, tempfile, time

try:
    import libtorrent as lt
except ImportError:  # e.g. a pyenv python3 shadows /usr/bin/python3; same 3.11 ABI on Debian
    sys.path.append("/usr/lib/python3/dist-packages")
    import libtorrent as lt

PIECE = 64 * 1024
NAME = "payload.bin"  # fixed name: it is part of the info dict, hence of the info-hash


def make_payload(path, size, seed):
    # Seeded PRNG -> identical bytes -> identical info-hash across runs (for whitelists).
    data = random.Random(seed).randbytes(size) if seed is not None else os.urandom(size)
    with open(path, "wb") as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest()


def make_torrent(src_dir, tracker, private=False):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(src_dir, NAME))
    # v1_only: libtorrent 2.x makes hybrid v1+v2 torrents by default and then announces
    # BOTH the v1 hash and the truncated v2 hash; a whitelist would reject the second one.
    # modification_time is left out on purpose (it would make the info-hash depend on file mtime).
    # private: aria2 keeps its DHT socket (which also carries its UDP tracker traffic) but never
    # looks a private torrent up in the DHT, so the tracker is its only peer source.
    ct = lt.create_torrent(fs, PIECE, lt.create_torrent.v1_only)
    ct.set_priv(private)
    ct.add_tracker(tracker, 0)  # the ONLY peer source
    ct.set_creator("RingTracker integration test")
    lt.set_piece_hashes(ct, src_dir)
    return lt.torrent_info(ct.generate())


def make_session(iface):
    settings = {
        "listen_interfaces": iface,  # loopback only, OS-chosen port
        "enable_dht": False, "enable_lsd": False,
        "enable_upnp": False, "enable_natpmp": False,
        # Both peers share one IP (127.0.0.1 / ::1); tracker peer identity is ip:port.
        "allow_multiple_connections_per_ip": True,
        "announce_to_all_trackers": True, "announce_to_all_tiers": True,
        "tracker_completion_timeout": 10, "tracker_receive_timeout": 5,
        "stop_tracker_timeout": 1,  # bound session teardown (it sends event=stopped)
        "alert_mask": int(lt.alert.category_t.tracker_notification
                          | lt.alert.category_t.error_notification
                          | lt.alert.category_t.status_notification
                          | lt.alert.category_t.connect_notification),
        "user_agent": "RingTracker-itest/libtorrent-" + lt.__version__,
    }
    # flags=0: NO default plugins -> no ut_pex (nor ut_metadata/smart_ban). A peer can
    # therefore never learn another peer except from the tracker.
    return lt.session(settings, 0)


class Log:
    """Drains alerts, keeps the interesting ones for progress lines / diagnostics."""
    def __init__(self, tag):
        self.tag, self.errors, self.last, self.replies, self.connects = tag, [], "-", 0, 0
        self.stopping = self.stop_answered = False  # event=stopped sent / answered

    def drain(self, ses):
        for a in ses.pop_alerts():
            if isinstance(a, lt.tracker_error_alert):
                msg = "tracker error: %s (%s) status=%s" % (a.error.message(), a.failure_reason(), a.status_code)
                self.errors.append(msg); self.last = msg
                self.stop_answered |= self.stopping
            elif isinstance(a, lt.tracker_warning_alert):
                self.errors.append("tracker warning: " + a.message()); self.last = "warning"
            elif isinstance(a, lt.tracker_reply_alert):
                self.replies += 1; self.last = "reply peers=%d" % a.num_peers
                self.stop_answered |= self.stopping
            elif isinstance(a, lt.tracker_announce_alert):
                self.last = "announcing"
                self.stopping |= a.event == lt.event_t.stopped
            elif isinstance(a, lt.peer_connect_alert):
                self.connects += 1
            elif isinstance(a, (lt.listen_failed_alert, lt.torrent_error_alert, lt.file_error_alert)):
                self.errors.append(a.message())


def status_line(tag, h, log):
    s = h.status()
    return "%s: %-16s %5.1f%% peers=%d tracker=[%s]" % (
        tag, str(s.state).split(".")[-1], s.progress * 100, s.num_peers, log.last)


def run(args, tmp):
    src, dst = os.path.join(tmp, "seed"), os.path.join(tmp, "download")
    os.makedirs(src); os.makedirs(dst)  # downloader starts from an empty save_path
    digest = make_payload(os.path.join(src, NAME), args.size, args.payload_seed)
    ti = make_torrent(src, args.tracker, private=args.downloader == "aria2")
    ih = str(ti.info_hashes().v1)  # 40 hex chars
    if args.print_infohash or args.whitelist_out:
        if args.whitelist_out:
            with open(args.whitelist_out, "w") as f:
                f.write(ih + "\n")
            os.chmod(args.whitelist_out, 0o644)  # opentracker may read it as nobody
        print(ih)
        return 0

    iface = "[::1]:0" if args.ipv6 else "127.0.0.1:0"
    print("info-hash %s, %d bytes, %d pieces, tracker %s, listen %s, downloader %s"
          % (ih, args.size, ti.num_pieces(), args.tracker, iface, args.downloader), flush=True)
    deadline = time.monotonic() + args.timeout
    # Seeder and downloader are two sessions of ONE process, as in a real multi-session client:
    # libtorrent caches a UDP tracker's connection ID per process and reuses it from every
    # session's socket (other source ports), so the tracker must bind IDs to the address only.
    seeder, slog = make_session(iface), Log("seed")
    sh = seeder.add_torrent({"ti": lt.torrent_info(ti), "save_path": src})
    live.append((seeder, sh, slog))
    leecher, llog = make_session(iface), Log("leech")

    # The downloader is added only once the seeder is registered at the tracker (got a
    # reply): otherwise the downloader's first announce could return no peers, and the
    # next one is a whole tracker interval (~30 min) away.
    next_print, lh, seeder_ready, aria = 0.0, None, False, None
    for _ in range(int(args.timeout * 10) + 10):  # 100 ms ticks, also bounded by deadline
        now = time.monotonic()
        if now >= deadline:
            break
        slog.drain(seeder)
        if not seeder_ready and slog.replies > 0 and sh.status().is_seeding:
            seeder_ready = True
        if lh is not None:
            llog.drain(leecher)
        if lh is None and seeder_ready and args.downloader == "aria2":
            if aria is None:
                aria = start_aria2(ti, tmp, dst)
            elif aria.poll() is not None:
                break
        elif lh is None and seeder_ready:
            lh = leecher.add_torrent({"ti": lt.torrent_info(ti), "save_path": dst})
            live.append((leecher, lh, llog))
        if now >= next_print:
            next_print = now + 1.0
            line = status_line("seed", sh, slog)
            if lh is not None:
                line += " | " + status_line("leech", lh, llog)
            if aria is not None:
                line += " | aria2c running"
            print("[%5.1fs] %s" % (args.timeout - (deadline - now), line), flush=True)
        if lh is not None and lh.status().is_seeding:
            break
        time.sleep(0.1)

    if args.downloader == "aria2":
        return finish_aria2(aria, args, dst, digest, slog, seeder_ready)
    if lh is None or not lh.status().is_seeding:
        print("FAIL: download not complete within %ss via %s" % (args.timeout, args.tracker))
        print("  seeder : %s errors=%s" % ("registered" if seeder_ready else "never got a tracker reply", slog.errors[-5:]))
        print("  leecher: %s" % ("never started" if lh is None else
              "replies=%d peer_connects=%d errors=%s" % (llog.replies, llog.connects, llog.errors[-5:])))
        for t in (lh.trackers() if lh is not None else []):  # per listen-socket state
            for e in t.get("endpoints", []):
                err = e.get("last_error", {})
                print("  leecher %s from %s: fails=%s msg=%r last_error=%s:%s" % (
                    t["url"], e.get("local_address"), e.get("fails"), e.get("message"),
                    err.get("category"), err.get("value")))
        return 1

    got = os.path.join(dst, NAME)
    with open(got, "rb") as f:
        got_digest = hashlib.sha256(f.read()).hexdigest()
    if got_digest != digest or os.path.getsize(got) != args.size:
        print("FAIL: sha256 mismatch %s != %s" % (got_digest, digest))
        return 1
    print("PASS: downloaded %d bytes via %s" % (args.size, args.tracker))
    return 0


def start_aria2(ti, tmp, dst):
    """aria2c downloads the private torrent; it learns the seeder only from the tracker."""
    torrent_file = os.path.join(tmp, "payload.torrent")
    with open(torrent_file, "wb") as f:
        f.write(lt.bencode(lt.create_torrent(ti).generate()))
    command = [
        "aria2c", "--dir=" + dst, "--seed-time=0", "--bt-enable-lpd=false", "--enable-peer-exchange=false",
        # DHT stays on: aria2 sends UDP tracker requests through its DHT socket. Its state file is
        # private to the test and it has no bootstrap node, so it never contacts anything else.
        "--enable-dht=true", "--enable-dht6=false", "--dht-file-path=" + os.path.join(tmp, "dht.dat"),
        "--dht-listen-port=%d" % free_port(), "--listen-port=%d" % free_port(),
        "--bt-tracker-connect-timeout=5", "--bt-tracker-timeout=5", "--summary-interval=0",
        "--console-log-level=warn", "--no-conf=true", "--disable-ipv6=true", torrent_file,
    ]
    print("starting: " + " ".join(command), flush=True)
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def finish_aria2(aria, args, dst, digest, slog, seeder_ready):
    if aria is None:
        print("FAIL: seeder %s; aria2c never started" % ("registered" if seeder_ready else "never got a tracker reply"))
        print("  seeder errors=%s" % slog.errors[-5:])
        return 1
    if aria.poll() is None:
        aria.terminate()
        try:
            aria.wait(timeout=5)
        except subprocess.TimeoutExpired:
            aria.kill()
            aria.wait()
    output = aria.stdout.read()
    print("aria2c exit %s:\n%s" % (aria.returncode, output[-3000:]))
    got = os.path.join(dst, NAME)
    if aria.returncode != 0 or not os.path.exists(got):
        print("FAIL: aria2c did not complete the download via %s" % args.tracker)
        return 1
    with open(got, "rb") as f:
        got_digest = hashlib.sha256(f.read()).hexdigest()
    if got_digest != digest:
        print("FAIL: sha256 mismatch %s != %s" % (got_digest, digest))
        return 1
    print("PASS: aria2c downloaded %d bytes via %s" % (args.size, args.tracker))
    return 0


live = []  # (session, handle, log), global so main() can tear down on any exit path


def shutdown(deadline_s=3.0):
    """Pause torrents, wait (bounded) until the event=stopped announce is answered, then
    remove them. Quirks: session.pause()+destructor often never sends event=stopped (stale
    ip:port stays at the tracker and is handed to later runs); remove_torrent() does send
    it, but no tracker_reply_alert is posted once the torrent object is gone, so we
    pause (non-auto-managed, else the session resumes it) and watch the alerts instead."""
    end = time.monotonic() + deadline_s
    pending = []
    for ses, h, log in live:
        h.unset_flags(lt.torrent_flags.auto_managed)
        h.pause()
        if log.replies:  # never registered at the tracker -> nothing to unregister
            pending.append((ses, log))
    while pending and time.monotonic() < end:
        for ses, log in list(pending):
            log.drain(ses)
            if log.stop_answered:
                pending.remove((ses, log))
        time.sleep(0.05)
    if pending:
        print("note: %d session(s) got no answer to event=stopped" % len(pending))
    for ses, h, _ in live:
        ses.remove_torrent(h)
    live.clear()  # drops the last references -> session destructors run here


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tracker", required=True, help="udp://127.0.0.1:7000/announce or http://...")
    p.add_argument("--timeout", type=float, default=60.0, help="hard deadline, seconds")
    p.add_argument("--size", type=int, default=4 * 1024 * 1024, help="payload bytes")
    p.add_argument("--payload-seed", type=int, default=None, help="deterministic payload/info-hash")
    p.add_argument("--print-infohash", action="store_true", help="print v1 info-hash and exit")
    p.add_argument("--whitelist-out", metavar="FILE", help="write info-hash line to FILE and exit")
    p.add_argument("--ipv6", action="store_true", help="both sessions listen on [::1] only")
    p.add_argument("--downloader", choices=["libtorrent", "aria2"], default="libtorrent",
                   help="a second libtorrent session in this process, or aria2c (private torrent)")
    args = p.parse_args()
    if args.size <= 0 or args.timeout <= 0:
        p.error("--size and --timeout must be positive")
    if (args.print_infohash or args.whitelist_out) and args.payload_seed is None:
        p.error("--print-infohash/--whitelist-out need --payload-seed (else the hash is random)")
    tmp = tempfile.mkdtemp(prefix="ringtracker-lt-")
    try:
        return run(args, tmp)
    except Exception as e:  # setup problems are not a tracker FAIL
        print("ERROR: %s: %s" % (type(e).__name__, e))
        return 2
    finally:
        if live:
            t0 = time.monotonic()
            shutdown()
            print("cleanup %.1fs" % (time.monotonic() - t0))
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
