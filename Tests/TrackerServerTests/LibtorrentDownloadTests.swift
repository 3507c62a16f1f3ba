import Foundation
import Logging
import Testing
import TrackerServer

/// Real BitTorrent clients (Debian's python3-libtorrent) meet only through the tracker: DHT, LSD,
/// PEX and UPnP are off in the script, so a completed download proves announces work for them.
enum Libtorrent {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("integration/libtorrent_download.py")

    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return false }
        return (try? run(["-c", "import libtorrent"]).status) == 0
    }()

    static func run(_ arguments: [String], timeout: Double = 120) throws -> (status: Int32, output: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("libtorrent-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = arguments
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { process.terminate(); process.waitUntilExit() }
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }
}

@Suite("Real BitTorrent clients download through the tracker", .enabled(if: Prerequisite.libtorrent.shouldRun))
struct LibtorrentDownloadTests {
    /// Runs the download script against `tracker` and expects a verified download.
    static func expectDownload(_ tracker: String, _ extra: [String] = []) throws {
        try #require(Libtorrent.available, "\(Prerequisite.libtorrent.hint)")
        let result = try Libtorrent.run([Libtorrent.script.path, "--tracker", tracker, "--timeout", "60"] + extra)
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("PASS"))
    }

    @Test("libtorrent seeder and downloader sessions in one process complete a download over udp:// on 127.0.0.1",
          arguments: availableBackends, WorkerLayout.allCases)
    func downloadOverIPv4(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { port4, _, _ in
            try Self.expectDownload("udp://127.0.0.1:\(port4)/announce")
        }
    }

    @Test("libtorrent seeder and downloader sessions in one process complete a download over udp:// on ::1",
          arguments: availableBackends, WorkerLayout.allCases)
    func downloadOverIPv6(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try withTracker(backend: backend, layout: layout) { _, port6, _ in
            try Self.expectDownload("udp://[::1]:\(port6)/announce", ["--ipv6"])
        }
    }

    @Test("libtorrent seeder and downloader sessions in one process complete a download over http:// on 127.0.0.1",
          arguments: WorkerLayout.allCases)
    func downloadOverHTTP(layout: WorkerLayout) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration(udpListeners: [], cpus: layout.cpus, pinWorkers: layout.pinned, backend: .mmsg)
        configuration.http.listeners = ["127.0.0.1:0"]
        let service = TrackerService(configuration: configuration, logger: logger)
        try service.start()
        defer { service.stop() }
        let address = try #require(service.httpAddresses.first)
        try Self.expectDownload("http://\(address)/announce")
    }

    @Test("aria2c downloads a private torrent from a libtorrent seeder over udp:// on 127.0.0.1",
          .enabled(if: Prerequisite.aria2.shouldRun), arguments: availableBackends, WorkerLayout.allCases)
    func aria2DownloadOverUDP(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        try #require(Prerequisite.aria2.isAvailable, "\(Prerequisite.aria2.hint)")
        try withTracker(backend: backend, layout: layout) { port4, _, _ in
            try Self.expectDownload("udp://127.0.0.1:\(port4)/announce", ["--downloader", "aria2"])
        }
    }
}
