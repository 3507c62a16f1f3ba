import Foundation
import Glibc
import Logging
import Synchronization
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// The n-th of many distinct info hashes.
private func manyHash(_ n: Int) -> [UInt8] {
    (0..<20).map { UInt8(truncatingIfNeeded: (n >> (8 * ($0 % 4))) &+ $0 &* 31) }
}

/// 40 lowercase hex digits and a newline (String(format:) is too slow for 100k lines in a debug build).
private func hexLine(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var line: [UInt8] = []
    line.reserveCapacity(41)
    for byte in bytes {
        line.append(digits[Int(byte >> 4)])
        line.append(digits[Int(byte & 0x0F)])
    }
    line.append(UInt8(ascii: "\n"))
    return String(decoding: line, as: UTF8.self)
}

/// Writes `text` to a FIFO in whole lines of at most PIPE_BUF bytes (atomic per write).
private func write(_ lines: [String], toFIFO path: String) throws {
    let fd = open(path, O_WRONLY | O_CLOEXEC)
    guard fd >= 0 else { throw TestFailure("open \(path): errno \(errno)") }
    defer { close(fd) }
    var batch: [UInt8] = []
    func flush() throws {
        var offset = 0
        while offset < batch.count {
            let written = batch[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw TestFailure("write: errno \(errno)") }
            offset += written
        }
        batch.removeAll(keepingCapacity: true)
    }
    for line in lines {
        if batch.count + line.utf8.count > Int(PIPE_BUF) { try flush() }
        batch += line.utf8
    }
    try flush()
}

@Suite("Dynamic access lists (opentracker 1.0 FIFOs)")
struct AccessFIFOTests {
    @Test("A FIFO reader returns whole lines, keeps a partial one for later and drops an overlong one")
    func readerLines() throws {
        let directory = try TemporaryList([])
        let path = directory.directory.appendingPathComponent("add.fifo").path
        let reader = try FIFOReader(path: path)
        var info = stat()
        #expect(stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        let fd = open(path, O_WRONLY)
        defer { close(fd) }
        let long = String(repeating: "x", count: FIFOReader.maximumLineBytes + 10)
        let text = "first\nsec"
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        #expect(reader.readLines(timeoutMilliseconds: 1000).map { String(decoding: $0, as: UTF8.self) } == ["first"])
        let rest = "ond\n\(long)\nthird\n"
        _ = rest.withCString { Glibc.write(fd, $0, strlen($0)) }
        #expect(reader.readLines(timeoutMilliseconds: 1000).map { String(decoding: $0, as: UTF8.self) } == ["second", "third"])
        #expect(reader.readLines(timeoutMilliseconds: 10).isEmpty, "no writer data: a bounded wait, no end-of-file spin")
        let plain = directory.directory.appendingPathComponent("plain").path
        FileManager.default.createFile(atPath: plain, contents: Data())
        #expect(throws: SystemError.self) { try FIFOReader(path: plain) }
    }

    @Test("100k hashes added and then removed through the FIFOs apply within a second while UDP announces run")
    func hundredThousandUnderLoad() throws {
        let list = try TemporaryList([hash(90)])
        let addPath = list.directory.appendingPathComponent("add.fifo").path
        let deletePath = list.directory.appendingPathComponent("delete.fifo").path
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var configuration = ServerConfiguration(udpListeners: ["127.0.0.1:0"], cpus: [0, 0], pinWorkers: false, backend: .mmsg)
        configuration.accessMode = .whitelist
        configuration.accessListPath = list.file.path
        configuration.fifoAdd = addPath
        configuration.fifoDelete = deletePath
        let service = TrackerService(configuration: configuration, logger: logger)
        try service.start()
        defer { service.stop() }
        let port = service.udpAddresses[0].port
        let count = 100_000
        let hashes = (0..<count).map(manyHash)
        let lines = hashes.map(hexLine)
        #expect(Set(hashes.map { InfoHash(bytes: $0) }).count == count)

        // Load: announces of the listed hash and of FIFO hashes, until told to stop (and at most 30 s).
        let stop = Atomic<Bool>(false)
        let wrongAnswers = Atomic<Int>(0)
        let announced = Atomic<Int>(0)
        let load = Thread {
            guard let client = try? UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.90"),
                (try? client.connect()) != nil
            else { return }
            let deadline = Date().addingTimeInterval(30)
            while !stop.load(ordering: .relaxed), Date() < deadline {
                // hash(90) is on the file list throughout: it must never be refused.
                if (try? client.announce(hash(90), port: 9, left: 0))?.seeders != 1 { wrongAnswers.add(1, ordering: .relaxed) }
                announced.add(1, ordering: .relaxed)
            }
        }
        load.start()
        defer { stop.store(true, ordering: .relaxed) }

        func waitForCount(_ expected: Int) -> Double? {
            let start = Date()
            while Date().timeIntervalSince(start) < 5 {
                if service.access.list.count == expected { return Date().timeIntervalSince(start) }
                usleep(5_000)
            }
            return nil
        }

        try write(lines + ["not a hash\n"], toFIFO: addPath)
        let addLatency = try #require(waitForCount(1 + count))
        #expect(addLatency < 1.0, "added within a second of the last write (\(addLatency) s)")
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.91")
        try client.connect()
        for n in stride(from: 0, to: count, by: 9973) {
            #expect(try client.announce(hashes[n], port: 1, left: 0).seeders == 1, "hash \(n) allowed after fifo_add")
        }

        try write(lines, toFIFO: deletePath)
        let removeLatency = try #require(waitForCount(1))
        #expect(removeLatency < 1.0, "removed within a second of the last write (\(removeLatency) s)")
        for n in stride(from: 0, to: count, by: 9973) {
            client.send(Wire.announceRequest(
                connectionID: client.connectionID, transactionID: UInt32(n), infoHash: hashes[n], left: 0, event: 0,
                numWant: 5, port: 1))
            let reply = try #require(client.receive())
            #expect(Wire.u32(reply, 0) == 3, "hash \(n) refused after fifo_delete")
        }

        // A reload starts from the file again (opentracker resets its changesets on SIGHUP).
        try write([hexLine(hashes[0])], toFIFO: addPath)
        #expect(waitForCount(2) != nil)
        #expect(service.reloadAccessList(trigger: "test"))
        #expect(service.access.list.count == 1)

        stop.store(true, ordering: .relaxed)
        #expect(announced.load(ordering: .relaxed) > 0)
        #expect(wrongAnswers.load(ordering: .relaxed) == 0)
    }

    @Test("access.fifo_add and access.fifo_delete parse; FIFOs without a list are refused")
    func configuration() throws {
        let settings = try ConfigurationFile(
            parsing: "access.whitelist /etc/white\naccess.fifo_add /run/ot/add\naccess.fifo_delete /run/ot/del\n",
            fileName: "ot.conf"
        ).settings
        #expect(settings.fifoAdd == "/run/ot/add" && settings.fifoDelete == "/run/ot/del")
        #expect(throws: Never.self) { try settings.validate() }
        var open = DaemonSettings()
        try open.apply(.fifoAdd, "/run/ot/add")
        #expect(throws: SettingError.self) { try open.validate() }
    }
}
