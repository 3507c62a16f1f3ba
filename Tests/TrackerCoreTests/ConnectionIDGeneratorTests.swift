@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Connection IDs")
struct ConnectionIDGeneratorTests {
    let generator = SoftwareConnectionIDGenerator(key: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210))
    let client = PeerAddress.v4(IPv4Address(203, 0, 113, 5))
    let start: UInt32 = 1_700_000_040    // an arbitrary instant inside a 120 s bucket

    @Test("An IPv4 ID is the AES-CMAC of one block: the address and the bucket, then the family tag 4")
    func ipv4Layout() {
        let bucket = start / 120
        let cmac = AESCMAC<SoftwareAES128>(key: Block128(low: 0x0123_4567_89AB_CDEF, high: 0xFEDC_BA98_7654_3210))
        let tag = cmac.tag(blocks: [Block128(low: UInt64(0xCB00_7105) << 32 | UInt64(bucket), high: 4)])
        #expect(generator.make(for: client, now: start).rawValue == (tag.low & ~1) | UInt64(bucket & 1))
    }

    @Test("An IPv6 ID is the AES-CMAC of two blocks: the address, then the bucket and the family tag 6")
    func ipv6Layout() {
        let bucket = start / 120
        let address = IPv6Address(high: 0x2001_0DB8_0000_0001, low: 0x0000_0000_0000_0005)
        let cmac = AESCMAC<SoftwareAES128>(key: Block128(low: 0x0123_4567_89AB_CDEF, high: 0xFEDC_BA98_7654_3210))
        let tag = cmac.tag(blocks: [Block128(low: address.high, high: address.low), Block128(low: UInt64(bucket), high: 6)])
        #expect(generator.make(for: .v6(address), now: start).rawValue == (tag.low & ~1) | UInt64(bucket & 1))
    }

    @Test("IDs match AES-CMAC computed independently (Python's cryptography package, OpenSSL)")
    func knownAnswers() {
        // python3: CMAC(AES(struct.pack('<QQ', key.0, key.1))) over struct.pack('<QQ', low, high)
        // per block; ID = (first 8 tag bytes as '<Q' & ~1) | (bucket & 1). Bucket 0xD82A8B.
        #expect(generator.make(for: client, now: start).rawValue == 0xE1A7_695F_56DA_CC83)
        let six = PeerAddress.v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 5))
        #expect(generator.make(for: six, now: start).rawValue == 0xC605_3D0A_F62A_65C5)
    }

    @Test("An ID is valid now, after one bucket, and not after two")
    func validityWindow() {
        let id = generator.make(for: client, now: start)
        #expect(generator.isValid(id, for: client, now: start))
        let bucketStart = start / 120 * 120
        #expect(generator.isValid(id, for: client, now: bucketStart + 119))
        #expect(generator.isValid(id, for: client, now: bucketStart + 120))
        #expect(generator.isValid(id, for: client, now: bucketStart + 239))
        #expect(!generator.isValid(id, for: client, now: bucketStart + 240))
        #expect(!generator.isValid(id, for: client, now: bucketStart + 360))
        #expect(!generator.isValid(id, for: client, now: bucketStart - 1))
    }

    @Test("An ID is bound to the address it was issued to, in either family")
    func boundToAddress() {
        let id = generator.make(for: client, now: start)
        #expect(!generator.isValid(id, for: .v4(IPv4Address(203, 0, 113, 6)), now: start))
        let six = PeerAddress.v6(IPv6Address(high: 0x2001_0DB8, low: 5))
        let sixID = generator.make(for: six, now: start)
        #expect(generator.isValid(sixID, for: six, now: start))
        #expect(!generator.isValid(sixID, for: .v6(IPv6Address(high: 0x2001_0DB8, low: 6)), now: start))
        // The same 32 bits as an IPv4 address and as the low word of an IPv6 one are different clients.
        #expect(!generator.isValid(id, for: .v6(IPv6Address(high: 0, low: UInt64(0xCB00_7105))), now: start))
        let otherKey = SoftwareConnectionIDGenerator(key: (1, 2))
        #expect(!otherKey.isValid(id, for: client, now: start))
    }

    @Test("Connection IDs take only the address, so two sockets of one client share an ID")
    func portIsNotPartOfTheID() {
        // The generator cannot even see a port: its input is the address. What matters to clients is
        // that the ID of a connect from one port is what an announce from another port is checked
        // against, which the end-to-end suite proves over real sockets.
        let a = PeerEndpoint.v4(IPv4Address(203, 0, 113, 5), port: 51413)
        let b = PeerEndpoint.v4(IPv4Address(203, 0, 113, 5), port: 6881)
        #expect(generator.make(for: a.address, now: start) == generator.make(for: b.address, now: start))
    }

    @Test("Random and bit-flipped IDs are rejected")
    func forgeriesRejected() {
        var rng = Xoshiro256(seed: 1)
        var accepted = 0
        for _ in 0..<100_000 where generator.isValid(ConnectionID(rawValue: rng.next()), for: client, now: start) {
            accepted += 1
        }
        #expect(accepted == 0)
        let id = generator.make(for: client, now: start)
        for bit in 0..<64 {
            let flipped = ConnectionID(rawValue: id.rawValue ^ (1 << UInt64(bit)))
            #expect(!generator.isValid(flipped, for: client, now: start))
        }
    }

    @Test("Consecutive buckets issue different IDs")
    func rotation() {
        let a = generator.make(for: client, now: start)
        let b = generator.make(for: client, now: start + 120)
        #expect(a != b)
        #expect(a.rawValue & 1 != b.rawValue & 1)
    }
}
