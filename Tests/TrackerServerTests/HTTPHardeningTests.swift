import Foundation
import Glibc
import Testing

/// What a hostile client does to the HTTP front, against the real binary where process limits matter.
@Suite("HTTP front under hostile clients", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct HTTPHardeningTests {
    /// CPU seconds (user + system) the process has used, from /proc/PID/stat (fields 14 and 15).
    static func cpuSeconds(_ pid: Int32) throws -> Double {
        let text = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // The command name (field 2) may hold spaces; fields are counted after its closing ')'.
        guard let close = text.lastIndex(of: ")") else { throw TestFailure("bad /proc stat") }
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw TestFailure("bad /proc stat fields")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test("Out of descriptors, the accept loop pauses instead of spinning, and serves again once some close")
    func acceptDoesNotSpinWhenDescriptorsRunOut() throws {
        // 64 descriptors: a few for the daemon itself, the rest go to held connections quickly.
        let daemon = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"],
            descriptorLimit: 64)
        let address = try daemon.waitUntilHTTPListening()
        var held: [HTTPTestClient] = []
        for _ in 0..<100 { held.append(try HTTPTestClient(address: address, timeoutSeconds: 1)) }
        // Let the listener hit EMFILE, then measure one second of the daemon's CPU.
        usleep(300_000)
        let before = try Self.cpuSeconds(daemon.process.processIdentifier)
        usleep(1_000_000)
        let used = try Self.cpuSeconds(daemon.process.processIdentifier) - before
        #expect(used < 0.2, "the daemon used \(used) s of CPU in 1 s while out of descriptors")
        // Free the descriptors: a new client is served within a few backoffs.
        held.removeAll()
        var status = 0
        for _ in 0..<30 where status != 200 {
            status = (try? HTTPTestClient(address: address, timeoutSeconds: 1).get("/stats").status) ?? 0
            if status != 200 { usleep(100_000) }
        }
        #expect(status == 200)
        #expect(daemon.process.isRunning)
    }
}

@Suite("Store limits through the daemon", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct DaemonLimitsTests {
    @Test("--max-new-torrents-per-minute refuses one address's excess new torrents with a BEP 15 error, counted in /metrics")
    func newTorrentBudgetOverUDP() throws {
        let daemon = try Daemon.Running([
            "--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg",
            "--max-new-torrents-per-minute", "3",
        ])
        let port = try daemon.waitUntilListening()
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.30")
        try client.connect()
        var refused = 0
        // 8 new torrents against a budget of 3 a minute: at least 5 refused, at least 2 even if a
        // minute boundary passes in between.
        for n in 0..<8 {
            client.send(Wire.announceRequest(
                connectionID: client.connectionID, transactionID: UInt32(n), infoHash: hash(UInt8(100 + n)), left: 0,
                event: 2, numWant: 5, port: 6881))
            let reply = try #require(client.receive())
            if Wire.u32(reply, 0) == 3 {
                #expect(String(decoding: reply[8...], as: UTF8.self) == "too many new torrents")
                refused += 1
            }
        }
        #expect(refused >= 2 && refused <= 5)
        let metrics = try HTTPTestClient(address: daemon.waitUntilHTTPListening()).get("/metrics").text
        #expect(metrics.contains("ringtracker_announce_refusals_total{reason=\"new_torrent_rate\"} \(refused)"))
    }
}
