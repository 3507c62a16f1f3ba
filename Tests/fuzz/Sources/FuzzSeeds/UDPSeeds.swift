import TrackerCore
import TrackerProtocol

/// Datagram sequences in FuzzUDP's input format: setup byte, then `control(1) length(2) bytes`.
/// Control 0x08 asks the target to put a valid connection ID for the source in bytes 0..<8.
enum UDPSeeds {
    static let validID: UInt8 = 0b1000

    static func all() -> [(String, [UInt8])] {
        let hash = InfoHash(bytes: (0..<20).map { UInt8($0 &* 7 &+ 1) })
        let listed = InfoHash(bytes: [UInt8](repeating: 0x41, count: 20))
        var swarm: [UInt8] = [0]
        for source: UInt8 in [0, 1, 2, 4, 5] {
            swarm += datagram(source | validID, announce(hash, left: source % 2 == 0 ? 0 : 100, event: .started, port: 6881))
        }
        swarm += datagram(3 | validID, scrape([hash, listed]))
        return [
            ("udp/connect", [0] + datagram(0, connect())),
            ("udp/announce-v4", [0] + datagram(validID, announce(hash, left: 0, event: .none, port: 6881))),
            ("udp/announce-v6", [0] + datagram(4 | validID, announce(hash, left: 5, event: .completed, port: 51413))),
            ("udp/swarm-then-scrape", swarm),
            ("udp/whitelist", [1] + datagram(validID, announce(listed, left: 1, event: .started, port: 1))
                + datagram(1 | validID, announce(hash, left: 1, event: .started, port: 2))),
            ("udp/limits-and-decoys", [0b1111_1100] + swarm.dropFirst()),
            ("udp/stopped-and-error", [0] + datagram(validID, announce(hash, left: 0, event: .stopped, port: 6881))
                + datagram(validID, [UInt8](repeating: 0, count: 8) + [0, 0, 0, 9, 0, 0, 0, 1])),
        ]
    }

    static func datagram(_ control: UInt8, _ bytes: [UInt8]) -> [UInt8] {
        [control, UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }

    static func connect() -> [UInt8] {
        written(UDPLimits.minimumRequestSize) { UDPRequestWriter.connect(TransactionID(rawValue: 0x1234), into: &$0) }
    }

    static func announce(_ hash: InfoHash, left: UInt64, event: AnnounceEvent, port: UInt16) -> [UInt8] {
        let request = AnnounceRequest(
            connectionID: ConnectionID(rawValue: 0), transactionID: TransactionID(rawValue: 77), infoHash: hash,
            peerID: PeerID(bytes: Array("-RT0100-fuzzseed0001".utf8)), downloaded: 0, left: left, uploaded: 0,
            event: event, ipAddress: 0, key: 9, numWant: -1, port: port)
        return written(UDPLimits.announceRequestSize) { UDPRequestWriter.announce(request, into: &$0) }
    }

    static func scrape(_ hashes: [InfoHash]) -> [UInt8] {
        written(UDPLimits.minimumRequestSize + UDPLimits.infoHashSize * hashes.count) { span in
            var length = UDPRequestWriter.scrapeHeader(ConnectionID(rawValue: 0), TransactionID(rawValue: 5), into: &span)
            for (index, hash) in hashes.enumerated() { length += UDPRequestWriter.scrapeHash(index: index, hash, into: &span) }
            return length
        }
    }

    static func written(_ count: Int, _ body: (inout MutableRawSpan) -> Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var span = bytes.mutableSpan
        var raw = span.mutableBytes
        let length = body(&raw)
        return Array(bytes[0..<length])
    }
}
