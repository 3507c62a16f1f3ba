import Foundation
import Glibc
import Testing
import TrackerCore
import TrackerProtocol

@Suite("opentracker statedump, daemon", .enabled(if: FileManager.default.isExecutableFile(atPath: Daemon.binary.path)))
struct StatedumpDaemonTests {
    /// The HTTP listener the daemon logged ("http=127.0.0.1:41234").
    func httpAddress(_ daemon: Daemon.Running) throws -> String {
        for line in daemon.output.split(separator: "\n") where line.contains("listening") {
            if let range = line.range(of: #"http=127\.0\.0\.1:\d+"#, options: .regularExpression) {
                return String(line[range].dropFirst(5))
            }
        }
        throw TestFailure("no http listener in: \(daemon.output)")
    }

    func start(_ extra: [String]) throws -> (Daemon.Running, UInt16) {
        let daemon = try Daemon.Running(
            ["--udp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--cpus", "0", "--io-backend", "mmsg"] + extra)
        return (daemon, try daemon.waitUntilListening())
    }

    @Test("A statedump exported from /stats and imported with -l keeps every torrent's downloaded count")
    func roundTrip() throws {
        let directory = try TemporaryList([])
        let (first, port) = try start([])
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.61")
        try client.connect()
        let torrents = [hash(61), hash(62), hash(63)]
        for (index, torrent) in torrents.enumerated() {
            for peer in 0...index {
                _ = try client.announce(torrent, port: UInt16(100 + peer), left: 0, event: 1)
            }
        }
        let dump = try HTTPTestClient(address: try httpAddress(first)).get("/stats?mode=statedump")
        #expect(dump.status == 200)
        #expect(dump.text.split(separator: "\n").count == 3)
        let file = directory.directory.appendingPathComponent("statedump").path
        try dump.text.write(toFile: file, atomically: true, encoding: .utf8)
        first.process.terminate()
        #expect(first.waitForExit(timeout: 10) == 0)

        let (second, port2) = try start(["-l", file])
        let probe = try UDPTestClient(server: "127.0.0.1", port: port2, source: "127.0.0.62")
        try probe.connect()
        let counts = try probe.scrape(torrents)
        #expect(counts.map(\.completed) == [1, 2, 3])
        #expect(counts.allSatisfy { $0.seeders == 0 && $0.leechers == 0 }, "counts only, no peers")
        #expect(second.output.contains("statedump imported"))
        // And out again in the same format: the line for each torrent carries its count.
        let again = try HTTPTestClient(address: try httpAddress(second)).get("/stats?mode=statedump").text
        #expect(again.split(separator: "\n").map { $0.split(separator: ":").last.map(String.init) ?? "" }.sorted() == ["1", "2", "3"])
    }

    @Test("A hand-written opentracker statedump loads; hashes a whitelist refuses are skipped")
    func handWrittenWithWhitelist() throws {
        let allowed = hash(64)
        let list = try TemporaryList([allowed])
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02X", $0) }.joined() }
        let minutes = Int(Date().timeIntervalSince1970) / 60 - 30
        let file = list.directory.appendingPathComponent("opentracker.state").path
        try "\(hex(allowed)):\(minutes):25\n\(hex(hash(65))):\(minutes):9\nnot a line\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let (daemon, port) = try start(["-w", list.file.path, "--import-statedump", file])
        let probe = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.63")
        try probe.connect()
        #expect(try probe.scrape([allowed, hash(65)]).map(\.completed) == [25, 0])
        #expect(daemon.output.contains("refused_by_access_list=1"))
    }

    @Test("A missing statedump is a one-line start-up error")
    func missingFile() throws {
        let daemon = try Daemon.Running(["--udp", "127.0.0.1:0", "--cpus", "0", "-l", "/nonexistent/state"])
        #expect(daemon.waitForExit(timeout: 10) == 1)
        #expect(daemon.output.hasPrefix("ringtracker: import-statedump /nonexistent/state: open"))
        #expect(daemon.output.split(separator: "\n").count == 1)
    }
}
