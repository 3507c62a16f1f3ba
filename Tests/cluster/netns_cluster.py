#!/usr/bin/env python3
"""Three ringtracker daemons in network namespaces this script creates, synced over IPv4 multicast,
IPv6 multicast and unicast. Run as root: `python3 Tests/cluster/netns_cluster.py .build/debug/ringtracker`.

Topology: namespaces <p>a, <p>b, <p>c each hold one veth end "eth0" (10.211.0.N/24, fd11::N/64);
the other ends sit on a bridge in a fourth namespace <p>h. Nothing is created in the caller's
namespace, and everything is deleted on exit, failure or timeout. Exit status 0 = every check passed.
"""
import ctypes, os, random, signal, socket, struct, subprocess, sys, tempfile, time

FLUSH = 0.5            # --cluster-flush-delay for every node
TRACKER_PORT = 6969
SYNC_PORT = 9696
PREFIX = f"rt{os.getpid() % 100000}"
NODES = ["a", "b", "c"]
HUB = PREFIX + "h"
CLONE_NEWNET = 0x40000000
libc = ctypes.CDLL(None, use_errno=True)
failures = []
daemons = []


def ns(node):
    return PREFIX + node


def v4(i):
    return f"10.211.0.{i + 1}"


def v6(i):
    return f"fd11::{i + 1}"


def run(*args):
    subprocess.run(list(args), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=10)


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message, flush=True)
    if not condition:
        failures.append(message)


def setup():
    run("ip", "netns", "add", HUB)
    run("ip", "-n", HUB, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
    run("ip", "-n", HUB, "link", "set", "br0", "up")
    for i, node in enumerate(NODES):
        name = ns(node)
        run("ip", "netns", "add", name)
        # No duplicate address detection: addresses are usable at once (the namespaces are ours).
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.default.accept_dad=0")
        run("ip", "netns", "exec", name, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0")
        run("ip", "link", "add", "eth0", "netns", name, "type", "veth", "peer", "name", f"p{node}", "netns", HUB)
        run("ip", "-n", HUB, "link", "set", f"p{node}", "master", "br0", "up")
        run("ip", "-n", name, "link", "set", "lo", "up")
        run("ip", "-n", name, "addr", "add", f"{v4(i)}/24", "dev", "eth0")
        run("ip", "-n", name, "addr", "add", f"{v6(i)}/64", "dev", "eth0", "nodad")
        run("ip", "-n", name, "link", "set", "eth0", "up")
        # IPv4 multicast leaves through eth0 (IP_MULTICAST_IF names it too; a route keeps it explicit).
        run("ip", "-n", name, "route", "add", "224.0.0.0/4", "dev", "eth0")


def cleanup():
    for process, log in daemons:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        log.close()
    daemons.clear()
    for name in [ns(n) for n in NODES] + [HUB]:
        subprocess.run(["ip", "netns", "del", name], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)


def socket_in(node, family, kind=socket.SOCK_DGRAM):
    """A socket created inside the node's namespace (it stays there after we switch back)."""
    own = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/var/run/netns/{ns(node)}", os.O_RDONLY)
    try:
        if libc.setns(target, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), "setns")
        try:
            return socket.socket(family, kind)
        finally:
            libc.setns(own, CLONE_NEWNET)
    finally:
        os.close(own)
        os.close(target)


class Client:
    """A BEP 15 client living in one namespace."""

    def __init__(self, node, server, ipv6=False):
        self.family = socket.AF_INET6 if ipv6 else socket.AF_INET
        self.sock = socket_in(node, self.family)
        self.sock.settimeout(2)
        self.server = (server, TRACKER_PORT)
        self.cid = 0

    def request(self, payload):
        tid = random.getrandbits(32)
        self.sock.sendto(payload(tid), self.server)
        reply = self.sock.recv(4096)
        assert struct.unpack(">I", reply[4:8])[0] == tid, "transaction id"
        return reply

    def connect(self):
        reply = self.request(lambda t: struct.pack(">QII", 0x41727101980, 0, t))
        self.cid = struct.unpack(">Q", reply[8:16])[0]
        return self.cid

    def announce(self, infohash, port, left, event=0):
        reply = self.request(lambda t: struct.pack(">QII20s20sQQQIIIiH", self.cid, 1, t, infohash, b"-PY0001-%012d" % port,
                                                   0, left, 0, event, 0, 0, 50, port))
        action, _, _, leechers, seeders = struct.unpack(">IIIII", reply[:20])
        size = 18 if self.family == socket.AF_INET6 else 6
        peers = [reply[o:o + size] for o in range(20, len(reply), size)]
        return action, seeders, leechers, peers

    def scrape(self, infohash):
        reply = self.request(lambda t: struct.pack(">QII20s", self.cid, 2, t, infohash))
        seeders, completed, leechers = struct.unpack(">III", reply[8:20])
        return seeders, completed, leechers


def eventually(seconds, condition):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def start_daemons(binary, keys, extra, only=None):
    for i, node in enumerate(NODES):
        if only is not None and i != only:
            continue
        log = tempfile.NamedTemporaryFile(prefix=f"ringtracker-{node}-", suffix=".log", delete=False)
        args = ["ip", "netns", "exec", ns(node), binary, "--udp", f"{v4(i)}:{TRACKER_PORT}", "--udp", f"[{v6(i)}]:{TRACKER_PORT}",
                "--http", f"{v4(i)}:{TRACKER_PORT}", "--cpus", "0", "--no-pin", "--io-backend", "mmsg",
                "--cluster-allow", "10.211.0.0/24", "--cluster-allow", "fd11::/64", "--cluster-allow", "fe80::/10",
                "--cluster-key", keys[0], "--connection-id-key", keys[1], "--cluster-flush-delay", str(FLUSH),
                "--stats-allow", "10.211.0.0/24"] + extra(i)
        daemons.append((subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT), log))
    for process, log in daemons:
        ok = eventually(10, lambda: "listening" in open(log.name).read() or process.poll() is not None)
        if not ok or process.poll() is not None:
            raise RuntimeError(f"{log.name} did not start: {open(log.name).read()}")


def stop_daemons():
    for process, log in daemons:
        process.terminate()
        process.wait(timeout=10)
        log.close()
        os.unlink(log.name)
    daemons.clear()


def metrics(node_index, reader="c"):
    s = socket_in(reader, socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect((v4(node_index), TRACKER_PORT))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.decode(errors="replace")


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return None


def scenario(name, binary, keys, extra, ipv6_clients):
    print(f"== {name}", flush=True)
    start_daemons(binary, keys, extra)
    address = v6 if ipv6_clients else v4
    capture = None
    if name == "ipv4 multicast":
        # A listener on C's namespace copies A's multicast packets, to replay one to B later.
        capture = socket_in("c", socket.AF_INET)
        capture.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        capture.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        capture.bind(("0.0.0.0", SYNC_PORT))
        capture.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                           socket.inet_aton("224.0.23.5") + socket.inet_aton(v4(2)))
        capture.settimeout(3)
    clients = [Client(node, address(i), ipv6_clients) for i, node in enumerate(NODES)]
    for client in clients:
        client.connect()
    infohash = os.urandom(20)
    clients[0].announce(infohash, 7001, left=0, event=2)
    seen = [eventually(2 * FLUSH, lambda c=c: c.scrape(infohash)[0] == 1) for c in clients[1:]]
    check(all(seen), f"{name}: an announce on A is seen by B and C within {2 * FLUSH} s")
    _, _, _, peers = clients[1].announce(infohash, 7002, left=10)
    check(len(peers) == 1 and peers[0][-2:] == struct.pack(">H", 7001), f"{name}: B's reply lists A's peer")
    clients[1].announce(infohash, 7002, left=0, event=1)
    counted = [eventually(2 * FLUSH, lambda c=c: c.scrape(infohash)[1] == 1) for c in (clients[0], clients[2])]
    clients[1].announce(infohash, 7002, left=0, event=1)
    time.sleep(2 * FLUSH)
    check(all(counted) and all(c.scrape(infohash)[1] == 1 for c in clients), f"{name}: completed counts once on every node")
    clients[0].announce(infohash, 7001, left=0, event=3)
    gone = [eventually(2 * FLUSH, lambda c=c: c.scrape(infohash)[0] == 1) for c in clients[1:]]
    check(all(gone), f"{name}: stopped on A propagates (only B's seeder is left)")
    # A connect answered by A, an announce on C with the same ID (shared --connection-id-key).
    shared = Client("c", address(0), ipv6_clients)
    cid = shared.connect()
    on_c = Client("c", address(2), ipv6_clients)
    on_c.cid = cid
    try:
        action = on_c.announce(os.urandom(20), 7003, left=1)[0]
    except socket.timeout:
        action = None
    check(action == 1, f"{name}: a connect on A and an announce on C succeed with the shared key")

    if capture is not None:
        packet = None
        try:
            while packet is None:
                data, source = capture.recvfrom(4096)
                if source[0] == v4(0):
                    packet = data
        except socket.timeout:
            pass
        check(packet is not None, f"{name}: captured one of A's multicast packets")
        if packet is not None:
            replay = socket_in("c", socket.AF_INET)
            replay.sendto(packet, (v4(1), SYNC_PORT))
            ok = eventually(2, lambda: (metric(metrics(1), 'ringtracker_cluster_dropped_total{reason="replayed"}') or 0) >= 1)
            check(ok, f"{name}: A's packet replayed to B is dropped and counted as replayed")
        capture.close()

    if name == "unicast":
        attack(infohash)
        # B restarted with --cluster-state-from A: B's own seeder is back before any re-announce.
        process, log = daemons.pop(1)
        process.terminate()
        process.wait(timeout=10)
        log.close()
        os.unlink(log.name)
        start_daemons(binary, keys, lambda i: extra(i) + ["--cluster-state-from", f"{v4(0)}:{TRACKER_PORT}"], only=1)
        fresh = Client("b", address(1))
        fresh.connect()
        check(fresh.scrape(infohash)[0] == 1, "unicast: B restarted re-fills its swarms by state transfer from A")
    stop_daemons()


def attack(infohash):
    """Unsigned, forged and malformed packets from C to A: ignored, counted, store untouched."""
    sender = socket_in("c", socket.AF_INET)
    target = (v4(0), SYNC_PORT)
    victim = os.urandom(20)
    entry = victim + socket.inet_aton("10.211.0.99") + struct.pack(">HBB", 6881, 0x80, 0)
    before = metrics(0)
    sender.sendto(struct.pack("<I", 0x12345678) + struct.pack(">I", 0) + entry, target)             # unsigned (opentracker format)
    forged = struct.pack(">II", 0x0BADF00D, 0) + entry + struct.pack(">III", 0x52544D31, int(time.time()), 1) + os.urandom(12)
    sender.sendto(forged, target)                                                                     # signed with a wrong key
    for length in range(0, 8):
        sender.sendto(os.urandom(length), target)                                                     # shorter than a header
    sender.sendto(struct.pack(">II", 1, 7) + entry, target)                                           # unknown type
    sender.sendto(struct.pack(">II", 1, 0) + entry[:27], target)                                      # a truncated entry only
    sender.sendto(os.urandom(2048), target)                                                           # random bytes, longest
    want = {"unsigned": 1, "bad_mac": 1, "too_short": 8, "unknown_type": 1}

    def counted():
        text = metrics(0)
        return all((metric(text, f'ringtracker_cluster_dropped_total{{reason="{r}"}}') or 0)
                   - (metric(before, f'ringtracker_cluster_dropped_total{{reason="{r}"}}') or 0) >= n for r, n in want.items())
    check(eventually(2, counted), "unicast: unsigned, forged, short and unknown-type packets are dropped and counted by reason")
    probe = Client("c", v4(0))
    probe.connect()
    check(probe.scrape(victim)[0] == 0, "unicast: none of them put a peer into A's store")


def main():
    if os.geteuid() != 0:
        print("netns cluster test needs root (ip netns); skipped", flush=True)
        return 77
    binary = os.path.abspath(sys.argv[1])
    signal.signal(signal.SIGALRM, lambda *_: (_ for _ in ()).throw(TimeoutError("netns cluster test exceeded 150 s")))
    signal.alarm(150)
    keys_dir = tempfile.mkdtemp(prefix="ringtracker-keys-")
    keys = [os.path.join(keys_dir, "cluster.key"), os.path.join(keys_dir, "connid.key")]
    with open(keys[0], "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    with open(keys[1], "w") as f:
        f.write(os.urandom(16).hex() + "\n")
    try:
        setup()
        scenario("ipv4 multicast", binary, keys, lambda i: ["--livesync-listen", v4(i)], ipv6_clients=False)
        scenario("ipv6 multicast", binary, keys, lambda i: ["--cluster-multicast6", "eth0"], ipv6_clients=True)
        scenario("unicast", binary, keys,
                 lambda i: sum((["--cluster-node", f"{v4(j)}:{SYNC_PORT}"] for j in range(3) if j != i), []),
                 ipv6_clients=False)
    except Exception as error:  # any failure still cleans up and fails the run
        failures.append(f"error: {error!r}")
        print(f"FAIL  {error!r}", flush=True)
        for process, log in daemons:
            print(f"--- {log.name}\n" + open(log.name).read(), flush=True)
    finally:
        signal.alarm(0)
        cleanup()
        for path in keys:
            os.unlink(path)
        os.rmdir(keys_dir)
    remaining = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    check(PREFIX not in remaining, "every namespace this test created is gone")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
