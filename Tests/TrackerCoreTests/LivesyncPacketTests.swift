@testable import TrackerCore
import Testing
import TrackerProtocol

/// opentracker HEAD's livesync format (reference §7) and the bugs of its receiver that must not
/// be copied.
@Suite("Livesync wire format")
struct LivesyncPacketTests {
    /// 20 bytes 0x01…0x14.
    static let hashBytes: [UInt8] = Array(1...20)

    /// One PEER4 entry as opentracker writes it: info_hash, ip4, port (network order), flags, age.
    static func opentrackerEntry4(ip: [UInt8], port: UInt16, flags: UInt8, age: UInt8) -> [UInt8] {
        hashBytes + ip + [UInt8(port >> 8), UInt8(port & 0xFF), flags, age]
    }

    static func parse(_ bytes: [UInt8]) -> LivesyncPacket.ParseResult { LivesyncPacket.parse(bytes.span) }

    @Test("An opentracker PEER4 packet written by hand from the reference parses to an IPv4 seeder")
    func opentrackerGoldenPacket() throws {
        // tracker_id 0x12345678 in x86 host order, type PEER4 (u32 BE 0), one 28-byte entry.
        let packet: [UInt8] = [0x78, 0x56, 0x34, 0x12, 0, 0, 0, 0]
            + Self.opentrackerEntry4(ip: [198, 51, 100, 1], port: 6881, flags: 0x80, age: 5)
        #expect(packet.count == 8 + 28)
        guard case .packet(let parsed) = Self.parse(packet) else { Issue.record("dropped"); return }
        #expect(parsed.entryCount == 1)
        #expect(!parsed.isIPv6)
        #expect(parsed.trailer == nil)
        #expect(parsed.strayBytes == 0)
        #expect(parsed.trackerID == 0x7856_3412)
        let entry = parsed.entry(at: 0, in: packet.span)
        #expect(entry.infoHash == InfoHash(bytes: Self.hashBytes))
        #expect(entry.endpoint == .v4(IPv4Address(198, 51, 100, 1), port: 6881))
        #expect(entry.flags == .seeding)
    }

    @Test("A received IPv4 entry becomes an IPv4 peer, never a bogus IPv6 one (opentracker HEAD bug)")
    func ipv4StaysIPv4() {
        var h = Harness()
        let packet: [UInt8] = [1, 2, 3, 4, 0, 0, 0, 0]
            + Self.opentrackerEntry4(ip: [198, 51, 100, 1], port: 6881, flags: 0x80, age: 0)
        guard case .packet(let parsed) = Self.parse(packet) else { Issue.record("dropped"); return }
        h.store.applySynced(parsed.entry(at: 0, in: packet.span), now: h.now)
        let hash = InfoHash(bytes: Self.hashBytes)
        let asV4 = h.announce(hash, from: v4(77))
        #expect(asV4.peers == [.v4(IPv4Address(198, 51, 100, 1), port: 6881)])
        #expect(asV4.outcome.seeders == 1)
        let asV6 = h.announce(hash, from: v6(77))
        #expect(asV6.peers.isEmpty)
    }

    @Test("Builder output is the opentracker layout byte for byte, for both families")
    func builderGoldenBytes() {
        var builder4 = LivesyncPacketBuilder(trackerID: 0xA1B2_C3D4, ipv6: false, signed: false)
        let hash = InfoHash(bytes: Self.hashBytes)
        let appended4 = builder4.append(LivesyncEntry(
            infoHash: hash, endpoint: .v4(IPv4Address(10, 0, 0, 2), port: 0x1AE1), flags: [.seeding, .completed]))
        #expect(appended4)
        #expect(Array(builder4.bytes[0..<builder4.count])
            == [0xA1, 0xB2, 0xC3, 0xD4, 0, 0, 0, 0] + Self.hashBytes + [10, 0, 0, 2, 0x1A, 0xE1, 0xC0, 0])
        var builder6 = LivesyncPacketBuilder(trackerID: 1, ipv6: true, signed: false)
        let address = IPv6Address(high: 0x2001_0DB8_0000_0000, low: 1)
        let appended6 = builder6.append(LivesyncEntry(infoHash: hash, endpoint: .v6(address, port: 443), flags: .stopped))
        #expect(appended6)
        let expected6: [UInt8] = [0, 0, 0, 1, 0, 0, 0, 1] + Self.hashBytes
            + [0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] + [0x01, 0xBB, 0x20, 0]
        #expect(Array(builder6.bytes[0..<builder6.count]) == expected6)
        // The other family is refused, not written into the wrong layout.
        let wrongFamily = builder6.append(LivesyncEntry(infoHash: hash, endpoint: v4(1), flags: []))
        #expect(!wrongFamily)
    }

    @Test("Entries round-trip through builder and parser, signed and unsigned, up to a full packet")
    func roundTrip() {
        for ipv6 in [false, true] {
            for signed in [false, true] {
                var builder = LivesyncPacketBuilder(trackerID: 42, ipv6: ipv6, signed: signed)
                var sent: [LivesyncEntry] = []
                var n: UInt64 = 0
                while !builder.isFull {
                    n += 1
                    let entry = LivesyncEntry(
                        infoHash: testHash(n), endpoint: ipv6 ? v6(n, port: UInt16(n)) : v4(UInt32(n), port: UInt16(n)),
                        flags: n % 2 == 0 ? .seeding : [])
                    let appended = builder.append(entry)
                    #expect(appended)
                    sent.append(entry)
                }
                #expect(sent.count == LivesyncFormat.maxEntries(ipv6: ipv6, signed: signed))
                if signed {
                    let macOffset = builder.sealHeader(timestamp: 1_700_000_000, sequence: 9)
                    builder.setMAC([UInt8](repeating: 0xEE, count: 12), at: macOffset)
                }
                let length = builder.packetLength(signed: signed)
                #expect(length <= LivesyncFormat.maxPacketSize)
                let wire = Array(builder.bytes[0..<length])
                guard case .packet(let parsed) = Self.parse(wire) else { Issue.record("dropped"); continue }
                #expect(parsed.entryCount == sent.count)
                #expect(parsed.strayBytes == 0)
                #expect((parsed.trailer != nil) == signed)
                if let trailer = parsed.trailer {
                    #expect(trailer.timestamp == 1_700_000_000)
                    #expect(trailer.sequence == 9)
                    #expect(trailer.macOffset == length - LivesyncFormat.macSize)
                }
                var received: [LivesyncEntry] = []
                for index in 0..<parsed.entryCount { received.append(parsed.entry(at: index, in: wire.span)) }
                #expect(received == sent)
            }
        }
    }

    @Test("The 37th and later IPv6 entries of an oversized packet are applied without overflow or crash")
    func ipv6PastThirtySix() {
        var h = Harness()
        // opentracker HEAD overflows its 1,480-byte v6 buffer at the 37th entry (8 + 40 × 37 = 1,488).
        var packet: [UInt8] = [9, 9, 9, 9, 0, 0, 0, 1]
        for n in 1...50 {
            packet += Self.hashBytes + [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [UInt8(n)]
                + [0x1A, 0xE1, 0, 0]
        }
        #expect(packet.count == 8 + 40 * 50)
        guard case .packet(let parsed) = Self.parse(packet) else { Issue.record("dropped"); return }
        #expect(parsed.entryCount == 50)
        for index in 0..<parsed.entryCount { h.store.applySynced(parsed.entry(at: index, in: packet.span), now: h.now) }
        let reply = h.announce(InfoHash(bytes: Self.hashBytes), from: v6(1000), numWant: 66)
        #expect(reply.outcome.leechers == 51)
        #expect(reply.peers.count == 50)
    }

    @Test("Every length 0…2,048 of every type parses without trapping, counting whole entries only")
    func everyLength() {
        var rng = Xoshiro256(seed: 11)
        for type: UInt32 in [0, 1, 2, 0xFFFF_FFFF] {
            for length in 0...2048 {
                var bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if length >= 8 {
                    bytes[4] = UInt8(type >> 24); bytes[5] = UInt8(type >> 16 & 0xFF)
                    bytes[6] = UInt8(type >> 8 & 0xFF); bytes[7] = UInt8(type & 0xFF)
                }
                switch Self.parse(bytes) {
                case .drop(.tooShort):
                    #expect(length < 8)
                case .drop(.unknownType):
                    #expect(length >= 8 && type > 1)
                case .packet(let parsed):
                    let size = type == 1 ? 40 : 28
                    #expect(type <= 1)
                    #expect(parsed.entryCount == (length - 8) / size)
                    // Random bytes are never a trailer (its magic is checked), so the rest is stray.
                    #expect(parsed.strayBytes == (length - 8) % size)
                    for index in 0..<parsed.entryCount { _ = parsed.entry(at: index, in: bytes.span) }
                case .drop(let other):
                    Issue.record("unexpected drop \(other)")
                }
            }
        }
    }

    @Test("A truncated last entry is not applied; the whole entries before it are")
    func truncatedEntry() {
        let packet: [UInt8] = [0, 0, 0, 7, 0, 0, 0, 0]
            + Self.opentrackerEntry4(ip: [10, 0, 0, 1], port: 1, flags: 0, age: 0)
            + Array(Self.opentrackerEntry4(ip: [10, 0, 0, 2], port: 2, flags: 0, age: 0).prefix(27))
        guard case .packet(let parsed) = Self.parse(packet) else { Issue.record("dropped"); return }
        #expect(parsed.entryCount == 1)
        #expect(parsed.strayBytes == 27)
    }

    @Test("A packet of unknown type is dropped as such")
    func unknownType() {
        #expect(Self.parse([0, 0, 0, 0, 0, 0, 0, 2] + Self.opentrackerEntry4(ip: [1, 2, 3, 4], port: 1, flags: 0, age: 0))
            == .drop(.unknownType))
        #expect(Self.parse([0, 0, 0, 0, 0, 0, 0]) == .drop(.tooShort))
    }
}
