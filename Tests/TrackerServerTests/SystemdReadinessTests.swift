import Foundation
import Glibc
import Testing
import TrackerIO

/// What systemd's side of `$NOTIFY_SOCKET` is: a bound AF_UNIX datagram socket. Receives with a
/// timeout, so every wait is bounded.
final class FakeNotifySocket {
    /// What NOTIFY_SOCKET says: a path, or "@name" in the abstract namespace.
    let path: String
    let fd: Int32

    init(abstract: Bool = false) throws {
        let name = "notify-\(UUID().uuidString.prefix(8))"
        path = abstract ? "@\(name)" : FileManager.default.temporaryDirectory.appendingPathComponent(name).path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: \(errno)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var bytes = Array(path.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        // An abstract name's length is exact: no terminating NUL counts.
        let length = MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(length)) }
        }
        guard bound == 0 else { throw TestFailure("bind \(path): \(errno)") }
        // The daemon may drop privileges before it sends: let anyone write to the socket.
        chmod(path, 0o777)
    }

    deinit {
        close(fd)
        if path.hasPrefix("/") { unlink(path) }
    }

    /// The next datagram, or nil after `timeout` seconds.
    func receive(timeout: Int = 10) -> String? {
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count < 0 ? nil : String(decoding: buffer[0..<count], as: UTF8.self)
    }
}

@Suite("systemd notify protocol")
struct SystemdNotifierTests {
    @Test("Each notification arrives as one datagram with systemd's KEY=VALUE lines")
    func datagrams() throws {
        let fake = try FakeNotifySocket()
        let notifier = try SystemdNotifier(socketPath: fake.path)
        #expect(notifier.isActive)
        try notifier.ready(status: "serving")
        #expect(fake.receive() == "READY=1\nSTATUS=serving\n")
        try notifier.reloading()
        let reloading = fake.receive() ?? ""
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
        #expect(UInt64(reloading.split(separator: "=").last?.dropLast() ?? "").map { $0 > 0 } == true)
        try notifier.stopping()
        #expect(fake.receive() == "STOPPING=1\n")
    }

    @Test("An @name NOTIFY_SOCKET reaches the abstract namespace")
    func abstractNamespace() throws {
        let fake = try FakeNotifySocket(abstract: true)
        try SystemdNotifier(socketPath: fake.path).ready(status: "abstract")
        #expect(fake.receive() == "READY=1\nSTATUS=abstract\n")
    }

    @Test("Without NOTIFY_SOCKET nothing is sent and nothing fails; a bad socket path is an error")
    func inactive() throws {
        let notifier = try SystemdNotifier(socketPath: nil)
        #expect(!notifier.isActive)
        try notifier.ready(status: "x")
        #expect(throws: SystemError.self) { try SystemdNotifier(socketPath: "relative/path") }
        #expect(throws: SystemError.self) { try SystemdNotifier(socketPath: "/nonexistent/notify") }
    }
}

@Suite("ringtracker under systemd", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonSystemdTests {
    @Test("READY=1 comes after the sockets are bound; SIGHUP is wrapped in RELOADING=1 … READY=1; SIGTERM sends STOPPING=1")
    func readinessReloadStop() throws {
        let fake = try FakeNotifySocket()
        let list = try TemporaryList([hash(60)])
        let daemon = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg",
             "--whitelist", list.file.path],
            environment: ["NOTIFY_SOCKET": fake.path])
        let ready = try #require(fake.receive())
        #expect(ready.hasPrefix("READY=1\nSTATUS=serving udp 127.0.0.1:"))
        // Ready means ready: the port in STATUS answers at once, with no wait.
        let port = try #require(ready.firstMatch(of: /udp 127\.0\.0\.1:(\d+)/).flatMap { UInt16($0.1) })
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.18")
        #expect(try client.connect() != 0)

        kill(daemon.process.processIdentifier, SIGHUP)
        #expect(fake.receive()?.hasPrefix("RELOADING=1\n") == true)
        #expect(fake.receive()?.hasPrefix("READY=1\n") == true)
        #expect(daemon.output.contains("access list reloaded"), "the reload happened between the two")

        daemon.process.terminate()
        #expect(fake.receive() == "STOPPING=1\n")
        #expect(daemon.waitForExit(timeout: 10) == 0)
    }

    @Test("Under journald each line starts with its syslog priority and carries no timestamp of its own")
    func journalLines() throws {
        let daemon = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"],
            logIdentity: { path in
                var status = stat()
                stat(path, &status)
                return ["JOURNAL_STREAM": "\(status.st_dev):\(status.st_ino)"]
            })
        let listening = try daemon.waitForLine(containing: "listening")
        #expect(listening.hasPrefix("<6>listening "), "info is priority 6: \(listening)")
        #expect(listening.firstMatch(of: /\d{4}-\d\d-\d\d/) == nil, "journald adds the time itself")
        daemon.process.terminate()
        #expect(daemon.waitForExit(timeout: 10) == 0)
        #expect(daemon.output.contains("<6>stopped "))
        // A warning carries priority 4, so `journalctl -p warning` shows it.
        let list = try TemporaryList([])
        let config = list.directory.appendingPathComponent("cluster.conf")
        // Unauthenticated cluster sync (unicast to a loopback node only) is always logged as a warning.
        try "ringtracker.cluster-node 127.0.0.1:9\nringtracker.cluster-insecure true\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let warned = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg", "--log-format", "journal", "--config", config.path])
        let warning = try warned.waitForLine(containing: "UNAUTHENTICATED")
        #expect(warning.hasPrefix("<4>"), "warning is priority 4: \(warning)")
        let stale = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"],
            environment: ["JOURNAL_STREAM": "1:1"])
        let plain = try stale.waitForLine(containing: "listening")
        #expect(!plain.hasPrefix("<"), "a JOURNAL_STREAM that is not our stderr (inherited) keeps the text format")
    }

    @Test("--log-format json writes one JSON object a line with time, level, message and metadata")
    func jsonLines() throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg", "--log-format", "json"])
        let line = try daemon.waitForLine(containing: "\"message\":\"listening\"")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect((object["time"] as? String)?.hasSuffix("Z") == true)
        let metadata = try #require(object["metadata"] as? [String: String])
        #expect(metadata["udp"]?.hasPrefix("127.0.0.1:") == true)
        #expect(metadata["backend"] == "mmsg")
        daemon.process.terminate()
        #expect(daemon.waitForExit(timeout: 10) == 0)
        for text in daemon.output.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil, "not JSON: \(text)")
        }
    }
}
