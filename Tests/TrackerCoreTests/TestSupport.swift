@testable import TrackerCore
import TrackerProtocol

/// A distinct info_hash per number.
func testHash(_ n: UInt64) -> InfoHash {
    var bytes = [UInt8](repeating: 0, count: 20)
    for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: n >> (56 - 8 * UInt64(i))) }
    bytes[19] = 0xAB
    return InfoHash(bytes: bytes)
}

/// 10.x.y.z:port endpoints, distinct per number.
func v4(_ n: UInt32, port: UInt16 = 6881) -> PeerEndpoint {
    .v4(IPv4Address(rawValue: 0x0A00_0000 | n), port: port)
}

/// 2001:db8::n endpoints.
func v6(_ n: UInt64, port: UInt16 = 6881) -> PeerEndpoint {
    .v6(IPv6Address(high: 0x2001_0DB8_0000_0000, low: n), port: port)
}

struct ReturnedPeer: Hashable {
    var endpoint: PeerEndpoint
}

/// A store with a seeded RNG, a fixed start time and a reply buffer, as a worker would drive it.
struct Harness {
    let store: TorrentStore
    var rng = Xoshiro256(seed: 42)
    var now: UInt32 = 1_700_000_000

    init(configuration: TrackerConfiguration = TrackerConfiguration(shardCount: 16)) {
        store = TorrentStore(configuration: configuration, hashSeed: 7)
    }

    @discardableResult
    mutating func announce(
        _ hash: InfoHash, from endpoint: PeerEndpoint, event: AnnounceEvent = .none,
        seeder: Bool = false, numWant: Int = 50, bufferSize: Int = 4096, offset: Int = 0
    ) -> (outcome: AnnounceOutcome, peers: [PeerEndpoint], bytes: [UInt8]) {
        var buffer = [UInt8](repeating: 0, count: bufferSize)
        let request = Announce(infoHash: hash, event: event, isSeeder: seeder, numWant: numWant)
        let outcome: AnnounceOutcome
        do {
            var span = buffer.mutableSpan
            var raw = span.mutableBytes
            outcome = store.announce(request, from: endpoint, now: now, rng: &rng, peers: &raw, at: offset)
        }
        let isV6 = endpoint.address.isIPv6
        let size = isV6 ? 18 : 6
        let bytes = Array(buffer[offset..<(offset + outcome.peerCount * size)])
        return (outcome, Self.decode(bytes, ipv6: isV6), bytes)
    }

    static func decode(_ bytes: [UInt8], ipv6: Bool) -> [PeerEndpoint] {
        let size = ipv6 ? 18 : 6
        return stride(from: 0, to: bytes.count, by: size).map { start in
            func be(_ range: Range<Int>) -> UInt64 { range.reduce(0) { $0 << 8 | UInt64(bytes[start + $1]) } }
            if ipv6 {
                let address = IPv6Address(high: be(0..<8), low: be(8..<16))
                return .v6(address, port: UInt16(be(16..<18)))
            }
            return .v4(IPv4Address(rawValue: UInt32(be(0..<4))), port: UInt16(be(4..<6)))
        }
    }
}
