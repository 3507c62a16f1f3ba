import Glibc
import Logging
import Testing
import TrackerServer

/// The same table of datagrams, sent to a tracker on each backend, must get the same answers: the
/// same action, length and counts, or the same silence. (io_uring once dropped a 100-hash scrape
/// that mmsg answered: its buffers also hold a header and the source address.)
@Suite("Both UDP backends answer every datagram alike",
       .enabled(if: availableBackends.contains(.ioUring), "needs io_uring (waived by RINGTRACKER_ALLOW_SKIP)"))
struct UDPBackendParityTests {
    /// A reply without what differs between processes by design: the interval's jitter and which
    /// peers were sampled (their number is compared through the length).
    struct Outcome: Equatable, CustomStringConvertible {
        var action: UInt32?
        var length = 0
        var counts: [UInt8] = []

        init(_ reply: [UInt8]?) {
            guard let reply, reply.count >= 8 else { return }
            action = Wire.u32(reply, 0)
            length = reply.count
            switch action {
            case 1: counts = Array(reply[12..<min(20, reply.count)])       // leechers, seeders
            case 2, 3: counts = Array(reply[8...])                          // scrape entries / error text
            default: break                                                  // connect: the ID is per bucket
            }
        }

        var description: String { action.map { "action \($0), \(length) B, counts \(counts.prefix(24))" } ?? "silence" }
    }

    /// Every action at every length 0…2,100, BEP 41 option variants, and 1/74/75/100/150-hash scrapes.
    static func table(connectionID id: UInt64) -> [(label: String, bytes: [UInt8])] {
        func fit(_ bytes: [UInt8], _ length: Int, filler: (Int) -> UInt8) -> [UInt8] {
            length <= bytes.count ? Array(bytes.prefix(length)) : bytes + (bytes.count..<length).map(filler)
        }
        var table: [(String, [UInt8])] = []
        for length in 0...2100 {
            let tid = UInt32(length)
            let announce = Wire.announceRequest(
                connectionID: id, transactionID: tid, infoHash: hash(UInt8(length % 40)), left: length % 3 == 0 ? 0 : 100,
                event: UInt32(length % 4), numWant: Int32(length % 90) - 5, port: UInt16(1000 + length))
            table.append(("connect \(length)", fit(Wire.connectRequest(transactionID: tid), length) { UInt8(truncatingIfNeeded: $0) }))
            table.append(("announce, EndOfOptions padding, \(length)", fit(announce, length) { _ in 0 }))
            if length > announce.count {
                table.append(("announce, NOP options, \(length)", fit(announce, length) { _ in 1 }))
                // URLData options (type 2, length, bytes), 255-byte chunks.
                table.append(("announce, URLData options, \(length)", fit(announce, length) { offset in
                    let position = (offset - announce.count) % 257
                    return position == 0 ? 2 : position == 1 ? 255 : UInt8(ascii: "a")
                }))
            }
            let header = Wire.be(id) + Wire.be(UInt32(2)) + Wire.be(tid)
            table.append(("scrape \(length)", fit(header, length) { hash(UInt8(($0 - 16) / 20 % 40))[($0 - 16) % 20] }))
            for action: UInt32 in [3, 7] {
                table.append(("action \(action) \(length)", fit(Wire.be(id) + Wire.be(action) + Wire.be(tid), length) { _ in 0x5A }))
            }
        }
        for count in [1, 74, 75, 100, 150] {
            table.append(("scrape of \(count) hashes", Wire.scrapeRequest(
                connectionID: id, transactionID: UInt32(5000 + count), hashes: (0..<count).map { hash(UInt8($0 % 40)) })))
        }
        table.append(("announce with a forged ID", Wire.announceRequest(
            connectionID: id ^ 0x10, transactionID: 6000, infoHash: hash(1), left: 0, event: 0, numWant: 5, port: 1)))
        return table
    }

    /// Sends each datagram followed by a connect probe: the worker answers in order, so whatever
    /// arrives before the probe's reply is the datagram's answer, and nothing means silence.
    static func outcomes(port: UInt16, table: [(label: String, bytes: [UInt8])]) throws -> [Outcome] {
        let client = try UDPTestClient(server: "127.0.0.1", port: port, source: "127.0.0.20")
        var outcomes: [Outcome] = []
        outcomes.reserveCapacity(table.count)
        for (index, entry) in table.enumerated() {
            let probe = 0x8000_0000 | UInt32(index)
            client.send(entry.bytes)
            client.send(Wire.connectRequest(transactionID: probe))
            var answer: [UInt8]?
            for _ in 0..<3 {
                guard let reply = client.receive() else { throw TestFailure("no probe reply after \(entry.label)") }
                if reply.count == 16, Wire.u32(reply, 0) == 0, Wire.u32(reply, 4) == probe { break }
                if answer != nil { throw TestFailure("two replies to \(entry.label)") }
                answer = reply
            }
            outcomes.append(Outcome(answer))
        }
        return outcomes
    }

    @Test("mmsg and io_uring give the same action, length and counts, or the same silence, for every datagram",
          arguments: WorkerLayout.allCases)
    func sameAnswers(layout: WorkerLayout) throws {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        var seed = SystemRandomNumberGenerator()
        let key = (seed.next() as UInt64, seed.next() as UInt64)
        var ports: [UInt16] = []
        var services: [TrackerService] = []
        defer { services.forEach { $0.stop() } }
        for backend in [ServerConfiguration.BackendChoice.mmsg, .ioUring] {
            var configuration = ServerConfiguration(
                udpListeners: ["127.0.0.1:0"], cpus: layout.cpus, pinWorkers: layout.pinned, backend: backend)
            configuration.connectionIDKey = key  // one key: the same ID is valid on both
            let service = TrackerService(configuration: configuration, logger: logger)
            try service.start()
            services.append(service)
            ports.append(try #require(service.udpAddresses.first).port)
        }
        let client = try UDPTestClient(server: "127.0.0.1", port: ports[0], source: "127.0.0.20")
        let table = Self.table(connectionID: try client.connect())
        let mmsg = try Self.outcomes(port: ports[0], table: table)
        let uring = try Self.outcomes(port: ports[1], table: table)
        var differences = 0
        for (index, entry) in table.enumerated() where mmsg[index] != uring[index] {
            differences += 1
            if differences <= 10 { Issue.record("\(entry.label): mmsg \(mmsg[index]) vs io_uring \(uring[index])") }
        }
        #expect(differences == 0)
        // The table must exercise both answers and silence, or the comparison proves little.
        let answered = mmsg.filter { $0.action != nil }.count
        #expect(answered > table.count / 4 && answered < table.count)
        // The 100-hash scrape is answered with the first 74 entries on both; 150 hashes are too long.
        let scrape100 = try #require(table.firstIndex { $0.label == "scrape of 100 hashes" })
        #expect(mmsg[scrape100].length == 8 + 74 * 12)
        let scrape150 = try #require(table.firstIndex { $0.label == "scrape of 150 hashes" })
        #expect(mmsg[scrape150].action == nil)
    }
}
