import Testing
import TrackerProtocol

@Suite("InfoHash and PeerID")
struct InfoHashTests {
    @Test("hex round trips through bytes, printing lowercase and accepting any case")
    func hexRoundTrip() throws {
        let text = "0123456789abcdefFEDCBA9876543210a5A5c3C3"
        let hash = try #require(InfoHash(hex: text))
        #expect(hash.hex == text.lowercased())
        #expect(hash.description == text.lowercased())
        #expect(hash.bytes == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0xFE, 0xDC,
                               0xBA, 0x98, 0x76, 0x54, 0x32, 0x10, 0xA5, 0xA5, 0xC3, 0xC3])
        #expect(InfoHash(bytes: hash.bytes) == hash)
        #expect(InfoHash(hex: hash.hex) == hash)
        #expect(PeerID(hex: text)?.bytes == hash.bytes)
    }

    @Test("random hashes survive bytes, hex and wire round trips")
    func randomRoundTrips() {
        var rng = SplitMix64(state: 7)
        for _ in 0..<500 {
            let bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let hash = InfoHash(bytes: bytes)
            #expect(hash.bytes == bytes)
            #expect(InfoHash(hex: hash.hex) == hash)
            let wire = written { span in hash.write(into: &span, at: 3); return 23 }
            #expect(Array(wire[3...]) == bytes)
            #expect(InfoHash(wire.span, at: 3) == hash)
            let peer = PeerID(bytes: bytes)
            #expect(PeerID(wire.span, at: 3) == peer)
        }
    }

    @Test("malformed hex is refused")
    func badHex() {
        #expect(InfoHash(hex: "") == nil)
        #expect(InfoHash(hex: String(repeating: "a", count: 39)) == nil)
        #expect(InfoHash(hex: String(repeating: "a", count: 41)) == nil)
        #expect(InfoHash(hex: String(repeating: "a", count: 39) + "g") == nil)
        #expect(InfoHash(hex: String(repeating: "a", count: 38) + " a") == nil)
        #expect(InfoHash(hex: String(repeating: "é", count: 20)) == nil)
        #expect(InfoHash(hex: Substring(String(repeating: "0", count: 40))) != nil)
    }

    @Test("hashes order by their bytes, first byte most significant")
    func ordering() {
        var rng = SplitMix64(state: 11)
        let values = (0..<300).map { _ in (0..<20).map { _ in UInt8.random(in: 0...3, using: &rng) } }
        let sortedByHash = values.map { InfoHash(bytes: $0) }.sorted().map(\.bytes)
        let sortedByBytes = values.sorted { $0.lexicographicallyPrecedes($1) }
        #expect(sortedByHash == sortedByBytes)
        #expect(InfoHash(bytes: [0] + Array(repeating: 0xFF, count: 19)) < InfoHash(bytes: [1] + Array(repeating: 0, count: 19)))
        #expect(PeerID(bytes: Array(repeating: 0, count: 19) + [1]) > PeerID(bytes: Array(repeating: 0, count: 20)))
    }

    @Test("equal hashes hash equally, and a one-byte difference makes them unequal")
    func hashing() {
        let a = InfoHash(bytes: sampleHashBytes)
        var changed = sampleHashBytes
        changed[19] ^= 1
        #expect(Set([a, InfoHash(bytes: sampleHashBytes), InfoHash(bytes: changed)]).count == 2)
    }
}
