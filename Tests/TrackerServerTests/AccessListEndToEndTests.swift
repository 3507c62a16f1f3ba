import Foundation
import Glibc
import Logging
import Testing
import TrackerCore
import TrackerServer

/// A whitelist file in a fresh temporary directory, removed afterwards.
final class TemporaryList {
    let directory: URL
    let file: URL

    init(_ hashes: [[UInt8]]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("rt-acl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        file = directory.appendingPathComponent("whitelist.txt")
        try write(hashes)
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    /// Replaces the file the way operators do: write a new file, rename it over the old one.
    func write(_ hashes: [[UInt8]], comment: String = "# RingTracker test list\n") throws {
        let text = comment + hashes.map { $0.map { String(format: "%02x", $0) }.joined() + " some title\n" }.joined()
        let temporary = directory.appendingPathComponent("new.tmp")
        try text.write(to: temporary, atomically: false, encoding: .utf8)
        guard rename(temporary.path, file.path) == 0 else { throw TestFailure("rename: errno \(errno)") }
    }
}

func withWhitelistedTracker(
    _ list: TemporaryList, backend: ServerConfiguration.BackendChoice = .mmsg, layout: WorkerLayout = .one,
    _ body: (_ port: UInt16, _ service: TrackerService) throws -> Void
) throws {
    var logger = Logger(label: "test")
    logger.logLevel = .critical
    var configuration = ServerConfiguration(
        udpListeners: ["127.0.0.1:0"], cpus: layout.cpus, pinWorkers: layout.pinned, backend: backend)
    configuration.accessMode = .whitelist
    configuration.accessListPath = list.file.path
    let service = TrackerService(configuration: configuration, logger: logger)
    try service.start()
    defer { service.stop() }
    try body(service.udpAddresses[0].port, service)
}

@Suite("Access lists over UDP")
struct AccessListEndToEndTests {
    @Test("A torrent not on the whitelist gets a BEP 15 error naming the whitelist",
          arguments: availableBackends, WorkerLayout.allCases)
    func deniedAnnounceGetsError(backend: ServerConfiguration.BackendChoice, layout: WorkerLayout) throws {
        let list = try TemporaryList([hash(10)])
        try withWhitelistedTracker(list, backend: backend, layout: layout) { port, _ in
            let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.11")
            try client.connect()
            #expect(try client.announce(hash(10), port: 1, left: 0).seeders == 1)
            client.send(Wire.announceRequest(
                connectionID: client.connectionID, transactionID: 4242, infoHash: hash(11), left: 0, event: 0,
                numWant: 10, port: 1))
            let reply = try #require(client.receive())
            #expect(Wire.u32(reply, 0) == 3 && Wire.u32(reply, 4) == 4242)
            #expect(String(decoding: reply[8...], as: UTF8.self) == "torrent not on whitelist")
        }
    }

    @Test("Replacing the list file takes effect without a signal and never gives a wrong answer",
          arguments: WorkerLayout.allCases)
    func fileChangeReloadsWhileServing(layout: WorkerLayout) throws {
        let list = try TemporaryList([hash(20)])
        try withWhitelistedTracker(list, layout: layout) { port, service in
            let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.12")
            try client.connect()
            var denied = 0
            // Swap the list back and forth while announcing; every reply must be a full announce
            // reply for the allowed hash (it stays on every version of the list).
            for round in 0..<20 {
                try list.write(round % 2 == 0 ? [hash(20), hash(21)] : [hash(20)])
                let reply = try client.announce(hash(20), port: 2, left: 0)
                #expect(reply.seeders == 1)
                client.send(Wire.announceRequest(
                    connectionID: client.connectionID, transactionID: 9, infoHash: hash(22), left: 0, event: 0,
                    numWant: 5, port: 2))
                if let answer = client.receive(), Wire.u32(answer, 0) == 3 { denied += 1 }
            }
            #expect(denied == 20, "hash 22 is never on the list")
            // The watcher picks up the last write (hash 21 removed) within a bounded wait.
            var reloaded = false
            for _ in 0..<100 where !reloaded {
                reloaded = service.access.list.count == 1
                if !reloaded { usleep(20_000) }
            }
            #expect(reloaded)
        }
    }

    @Test("A reload that finds no valid line keeps the old list")
    func brokenReloadKeepsOldList() throws {
        let list = try TemporaryList([hash(30), hash(31)])
        try withWhitelistedTracker(list) { _, service in
            try list.write([], comment: "this is not a hash\nnor is this\n")
            #expect(service.reloadAccessList(trigger: "test") == false)
            #expect(service.access.list.count == 2)
        }
    }

    @Test("A missing whitelist at start is a start-up error, not a tracker that denies everything")
    func missingListIsFatal() throws {
        var configuration = ServerConfiguration(udpListeners: ["127.0.0.1:0"], cpus: [0], pinWorkers: false, backend: .mmsg)
        configuration.accessMode = .whitelist
        configuration.accessListPath = "/nonexistent/ringtracker/whitelist.txt"
        let service = TrackerService(configuration: configuration, logger: Logger(label: "test"))
        #expect(throws: StartupError.self) { try service.start() }
    }
}
