#!/usr/bin/python3
"""End-to-end tracker test: two libtorrent sessions meet ONLY through the tracker.

A seeder and a downloader session listen on loopback with DHT/LSD/PEX/UPnP/NAT-PMP
disabled and never call connect_peer(), so the only way the downloader can learn the
seeder's address is the tracker's announce response. PASS = payload downloaded and
sha256-identical.

  python3 libtorrent_download.py --tracker udp://127.0.0.1:7000/announce [--timeout 60]
          [--size BYTES] [--payload-seed N] [--ipv6]
  # Whitelisting trackers (e.g. Debian opentracker) need the info-hash up front:
  python3 libtorrent_download.py --tracker URL --payload-seed 42 --print-infohash
  python3 libtorrent_download.py --tracker URL --payload-seed 42 --whitelist-out wl.txt
  (both only build the torrent and exit; then run again with the same seed/size.)

Exit 0 = PASS, 1 = FAIL, 2 = setup error. Use /usr/bin/python3 (Debian's python3-libtorrent).
"""
import argparse, hashlib, os, random, select, shutil, signal, subprocess, sys, tempfile, time

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


def make_torrent(src_dir, tracker):
    fs = lt.file_storage()
    lt.add_files(fs, os.path.join(src_dir, NAME))
    # v1_only: libtorrent 2.x makes hybrid v1+v2 torrents by default and then announces
    # BOTH the v1 hash and the truncated v2 hash; a whitelist would reject the second one.
    # Flags left out on purpose: priv (would be harmless, but the test must not rely on it),
    # modification_time (would make the info-hash depend on file mtime).
    ct = lt.create_torrent(fs, PIECE, lt.create_torrent.v1_only)
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
    ti = make_torrent(src, args.tracker)
    ih = str(ti.info_hashes().v1)  # 40 hex chars
    if args.print_infohash or args.whitelist_out:
        if args.whitelist_out:
            with open(args.whitelist_out, "w") as f:
                f.write(ih + "\n")
            os.chmod(args.whitelist_out, 0o644)  # opentracker may read it as nobody
        print(ih)
        return 0

    iface = "[::1]:0" if args.ipv6 else "127.0.0.1:0"
    print("info-hash %s, %d bytes, %d pieces, tracker %s, listen %s"
          % (ih, args.size, ti.num_pieces(), args.tracker, iface), flush=True)
    deadline = time.monotonic() + args.timeout
    # The seeder runs in its own process, as two real clients would: libtorrent caches UDP
    # tracker connection IDs per process, so two sessions in one process would reuse one ID
    # from two source ports — a tracker that binds IDs to address AND port rightly drops that.
    torrent_file = os.path.join(tmp, "payload.torrent")
    with open(torrent_file, "wb") as f:
        f.write(lt.bencode(lt.create_torrent(ti).generate()))
    child = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--tracker", args.tracker, "--seed-only", torrent_file,
         "--save-path", src, "--timeout", str(args.timeout)] + (["--ipv6"] if args.ipv6 else []),
        stdout=subprocess.PIPE, text=True)
    children.append(child)
    leecher, llog = make_session(iface), Log("leech")

    # The downloader is added only once the seeder is registered at the tracker (got a
    # reply): otherwise the downloader's first announce could return no peers, and the
    # next one is a whole tracker interval (~30 min) away.
    next_print, lh, seeder_ready = 0.0, None, False
    for _ in range(int(args.timeout * 10) + 10):  # 100 ms ticks, also bounded by deadline
        now = time.monotonic()
        if now >= deadline or child.poll() is not None:
            break
        if not seeder_ready and select.select([child.stdout], [], [], 0)[0]:
            line = child.stdout.readline()
            print("seeder: " + line.strip(), flush=True)
            seeder_ready = line.startswith("SEEDER-READY")
        if lh is not None:
            llog.drain(leecher)
        if lh is None and seeder_ready:
            lh = leecher.add_torrent({"ti": lt.torrent_info(ti), "save_path": dst})
            live.append((leecher, lh, llog))
        if now >= next_print:
            next_print = now + 1.0
            line = "seeder %s" % ("registered" if seeder_ready else "starting")
            if lh is not None:
                line += " | " + status_line("leech", lh, llog)
            print("[%5.1fs] %s" % (args.timeout - (deadline - now), line), flush=True)
        if lh is not None and lh.status().is_seeding:
            break
        time.sleep(0.1)

    if lh is None or not lh.status().is_seeding:
        print("FAIL: download not complete within %ss via %s" % (args.timeout, args.tracker))
        print("  seeder : %s" % ("registered" if seeder_ready else "never got a tracker reply"))
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


live = []  # (session, handle, log), global so main() can tear down on any exit path
children = []  # seeder processes, ended on every exit path


def seed_only(args):
    """Child process: seed until the parent closes our stdin pipe or ends us (SIGTERM)."""
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(SystemExit(0)))
    iface = "[::1]:0" if args.ipv6 else "127.0.0.1:0"
    ses, log = make_session(iface), Log("seed")
    h = ses.add_torrent({"ti": lt.torrent_info(args.seed_only), "save_path": args.save_path})
    live.append((ses, h, log))
    announced = False
    for _ in range(int(args.timeout * 10) + 10):  # bounded: the parent's deadline plus slack
        log.drain(ses)
        if not announced and log.replies > 0 and h.status().is_seeding:
            print("SEEDER-READY", flush=True)
            announced = True
        time.sleep(0.1)
    return 0


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
    p.add_argument("--seed-only", metavar="TORRENT", help=argparse.SUPPRESS)  # child process mode
    p.add_argument("--save-path", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.size <= 0 or args.timeout <= 0:
        p.error("--size and --timeout must be positive")
    if (args.print_infohash or args.whitelist_out) and args.payload_seed is None:
        p.error("--print-infohash/--whitelist-out need --payload-seed (else the hash is random)")
    if args.seed_only:
        try:
            return seed_only(args)
        finally:
            shutdown()
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
        for child in children:  # the seeder unregisters (event=stopped) on SIGTERM
            child.terminate()
            try:
                child.wait(timeout=5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
