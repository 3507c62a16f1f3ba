@testable import TrackerCore
import Testing
import TrackerProtocol

@Suite("Connection IDs")
struct ConnectionIDGeneratorTests {
    let generator = SoftwareConnectionIDGenerator(key: (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210))
    let client = PeerAddress.v4(IPv4Address(203, 0, 113, 5))
    let start: UInt32 = 1_700_000_040    // an arbitrary instant inside a 120 s bucket

    @Test("SipHash-2-4 matches the reference vector from the paper")
    func sipHashVector() {
        // SipHash-2-4 no longer makes connection IDs but still keys the new-torrent budget and
        // the cluster key file's checks.
        let key: (UInt64, UInt64) = (0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)
        #expect(SipHash24.hash(key: key, bytes: (0..<15).map { UInt8($0) }) == 0xA129_CA61_49BE_45E5)
        // The 8-byte-word form agrees with the byte form.
        #expect(SipHash24.hash(key: key, words: 0x0706_0504_0302_0100)
                == SipHash24.hash(key: key, bytes: (0..<8).map { UInt8($0) }))
        #expect(SipHash24.hash(key: key, words: 0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)
                == SipHash24.hash(key: key, bytes: (0..<16).map { UInt8($0) }))
        // Empty message: the first entry of the reference vectors (bytes 31 0e 0e dd 47 db 6f 72, little-endian).
        #expect(SipHash24.hash(key: key, bytes: []) == 0x726F_DB47_DD0E_0E31)
    }

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
