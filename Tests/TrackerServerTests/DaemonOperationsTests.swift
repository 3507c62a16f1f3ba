import Foundation
import Glibc
import Testing

/// Operations on the real binary: config files, SIGHUP, privilege drop.
@Suite("ringtracker operations", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonOperationsTests {
    @Test("SIGHUP with several workers reloads the whitelist and never kills the process")
    func sighupReloads() throws {
        let list = try TemporaryList([hash(40)])
        let daemon = try Daemon.Running([
            "--udp", "127.0.0.1:0", "--cpus", "0,0", "--io-backend", "mmsg", "--whitelist", list.file.path,
        ])
        let port = try daemon.waitUntilListening()
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
}
