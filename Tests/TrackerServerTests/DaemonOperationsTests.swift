import Foundation
import Glibc
import Testing

/// Operations on the real binary: config files, SIGHUP, privilege drop.
@Suite("ringtracker operations", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonOperationsTests {
    /// One worker, the default layout, and three workers on one CPU (`--udp-workers` places them
    /// round-robin, so "several workers" holds on any machine; a repeated `--cpus 0,0` would
    /// collapse to one).
    static let sighupLayouts: [(name: String, arguments: [String], workers: Int?)] = [
        ("1 worker", WorkerLayout.one.daemonArguments, 1),
        ("default workers", WorkerLayout.defaults.daemonArguments, nil),
        ("3 workers on CPU 0", ["--cpus", "0", "--udp-workers", "3"], 3),
    ]

    @Test("SIGHUP reloads the whitelist and never kills the process", arguments: 0..<sighupLayouts.count)
    func sighupReloads(layoutIndex: Int) throws {
        let layout = Self.sighupLayouts[layoutIndex]
        let list = try TemporaryList([hash(40)])
        let daemon = try Daemon.Running([
            "--udp", "127.0.0.1:0", "--io-backend", "mmsg", "--whitelist", list.file.path,
        ] + layout.arguments)
        let port = try daemon.waitUntilListening()
        if let workers = layout.workers {
            #expect(daemon.output.contains("workers=\(workers)"), "\(layout.name): \(daemon.output)")
        }
        for _ in 0..<5 { kill(daemon.process.processIdentifier, SIGHUP) }
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.13")
        try client.connect()
        #expect(try client.announce(hash(40), port: 3, left: 0).seeders == 1)
        #expect(daemon.process.isRunning)
        let deadline = Date().addingTimeInterval(5)
        while !daemon.output.contains("trigger=SIGHUP"), Date() < deadline { usleep(20_000) }
        #expect(daemon.output.contains("access list reloaded"))
    }

    @Test("An opentracker.conf runs unchanged, and as root the daemon drops to tracker.user")
    func opentrackerConfigRuns() throws {
        let list = try TemporaryList([hash(41)])
        chmod(list.directory.path, 0o755)
        chmod(list.file.path, 0o644)
        let config = list.directory.appendingPathComponent("opentracker.conf")
        try """
            # opentracker config, as shipped by an operator
            listen.udp.workers 2
            listen.udp 127.0.0.1:0
            access.whitelist \(list.file.path)
            access.stats 127.0.0.1
            access.stats_path stats
            tracker.user nobody
            tracker.redirect_url https://example.org/
            """.write(to: config, atomically: true, encoding: .utf8)
        let daemon = try Daemon.Running(["--config", config.path, "--cpus", "0", "--io-backend", "mmsg"])
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.14")
        try client.connect()
        #expect(try client.announce(hash(41), port: 4, left: 0).seeders == 1)
        if geteuid() == 0 {
            let status = try String(contentsOfFile: "/proc/\(daemon.process.processIdentifier)/status", encoding: .utf8)
            let uidLine = status.split(separator: "\n").first { $0.hasPrefix("Uid:") } ?? ""
            let uids = uidLine.split(whereSeparator: { $0 == "\t" || $0 == " " }).dropFirst()
            #expect(!uids.isEmpty && uids.allSatisfy { $0 != "0" }, "real, effective, saved and fs uid all dropped: \(uidLine)")
            #expect(daemon.output.contains("dropped privileges"))
        }
    }

    @Test("--check-config prints the effective configuration; a bad line names file and line")
    func checkConfig() throws {
        let list = try TemporaryList([])
        let good = list.directory.appendingPathComponent("good.conf")
        try "listen.udp 127.0.0.1:7000\nringtracker.peer-timeout 3000\n".write(to: good, atomically: true, encoding: .utf8)
        let ok = try Daemon.Running(["--check-config", good.path, "--interval", "900"])
        #expect(ok.waitForExit(timeout: 10) == 0)
        #expect(ok.output.contains("ringtracker.udp 127.0.0.1:7000"))
        #expect(ok.output.contains("ringtracker.interval 900"), "the flag overrides the file")
        #expect(ok.output.contains("ringtracker.peer-timeout 3000"))
        let bad = list.directory.appendingPathComponent("bad.conf")
        try "listen.udp 127.0.0.1:7000\n\nringtracker.peer-timeout soon\n".write(to: bad, atomically: true, encoding: .utf8)
        let failing = try Daemon.Running(["--check-config", bad.path])
        #expect(failing.waitForExit(timeout: 10) == 1)
        #expect(failing.output.contains("ringtracker: \(bad.path):3: "))
    }

    @Test("A config or list that is a device is refused at once, without reading it (issue 12, finding 5)")
    func devicesRefused() throws {
        for arguments in [["--check-config", "/dev/zero"], ["--udp", "127.0.0.1:0", "--whitelist", "/dev/zero"],
                          ["--check-config", "/dev/urandom"]] {
            let started = ContinuousClock.now
            let daemon = try Daemon.Running(arguments)
            #expect(daemon.waitForExit(timeout: 10) == 1, "\(arguments)")
            #expect(daemon.output.contains("not a regular file (a character device)"), "\(daemon.output)")
            #expect(ContinuousClock.now - started < .seconds(5))
        }
        // The null device is the one exception: an empty config, as opentracker reads it.
        let empty = try Daemon.Running(["--check-config", "/dev/null"])
        #expect(empty.waitForExit(timeout: 10) == 0, "\(empty.output)")
    }
}

@Suite("ringtracker state file", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonStateFileTests {
    @Test("Swarms survive a restart through --state-file; a corrupt file is moved aside and the tracker starts empty",
          arguments: WorkerLayout.allCases)
    func swarmsSurviveRestart(layout: WorkerLayout) throws {
        let directory = try TemporaryList([])
        let state = directory.directory.appendingPathComponent("state.bin").path
        let torrent = hash(50)

        let first = try Daemon.Running(["--udp", "127.0.0.1:0", "--io-backend", "mmsg", "--state-file", state] + layout.daemonArguments)
        let port = try first.waitUntilListening()
        let seeder = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.15")
        try seeder.connect()
        _ = try seeder.announce(torrent, port: 5000, left: 0, event: 2)
        _ = try seeder.announce(torrent, port: 5001, left: 10, event: 2)
        first.process.terminate()
        #expect(first.waitForExit(timeout: 10) == 0)
        #expect(FileManager.default.fileExists(atPath: state))

        let second = try Daemon.Running(["--udp", "127.0.0.1:0", "--io-backend", "mmsg", "--state-file", state] + layout.daemonArguments)
        let port2 = try second.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port2, source: "127.0.0.16")
        try client.connect()
        let counts = try client.scrape([torrent])
        #expect(counts.first?.seeders == 1 && counts.first?.leechers == 1, "both peers restored")
        let reply = try client.announce(torrent, port: 6000, left: 10)
        #expect(reply.ports == [5000, 5001], "restored peers are handed out")
        second.process.terminate()
        #expect(second.waitForExit(timeout: 10) == 0)

        // Corrupt one byte in the middle: the next start refuses it, keeps it aside, starts empty.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: state)))
        bytes[bytes.count / 2] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: state))
        let third = try Daemon.Running(["--udp", "127.0.0.1:0", "--io-backend", "mmsg", "--state-file", state] + layout.daemonArguments)
        let port3 = try third.waitUntilListening()
        let probe = try UDPTestClient(server: "127.0.0.1", port: port3, source: "127.0.0.17")
        try probe.connect()
        #expect(try probe.scrape([torrent]).first?.seeders == 0)
        let aside = try FileManager.default.contentsOfDirectory(atPath: directory.directory.path)
            .filter { $0.hasPrefix("state.bin.corrupt-") }
        #expect(aside.count == 1, "the bad file is kept aside, never overwritten")
    }
}
