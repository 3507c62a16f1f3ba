@testable import TrackerCore
import Testing

/// The block of a hex string of 32 digits, bytes in order (how FIPS-197 and RFC 4493 print them).
func block(_ hex: String) -> Block128 {
    let digits = Array(hex.filter { $0 != " " })
    precondition(digits.count == 32, "32 hex digits")
    return Block128(bytes: (0..<16).map { UInt8(String(digits[2 * $0 ... 2 * $0 + 1]), radix: 16)! })
}

extension Block128 {
    /// Byte `index` (0–15) of the block.
    func byte(_ index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: low >> (8 * UInt64(index))) : UInt8(truncatingIfNeeded: high >> (8 * UInt64(index - 8)))
    }
}

@Suite("AES-128 and AES-CMAC")
struct AES128Tests {
    @Test("AES-128 matches FIPS-197's examples (appendices B and C.1), key schedule included")
    func fipsVectors() {
        let appendixB = SoftwareAES128(key: block("2b7e151628aed2a6abf7158809cf4f3c"))
        #expect(appendixB.encrypt(block("3243f6a8885a308d313198a2e0370734")) == block("3925841d02dc09fbdc118597196a0b32"))
        // Appendix A.1: the first expanded words after the key, and the last round key.
        #expect(appendixB.roundKeys[1] == block("a0fafe1788542cb123a339392a6c7605"))
        #expect(appendixB.roundKeys[10] == block("d014f9a8c9ee2589e13f0cc8b6630ca6"))
        let appendixC = SoftwareAES128(key: block("000102030405060708090a0b0c0d0e0f"))
        #expect(appendixC.encrypt(block("00112233445566778899aabbccddeeff")) == block("69c4e0d86a7b0430d8cdb78070b4c55a"))
    }

    @Test("The S-box generated from its definition matches FIPS-197's table at its landmarks")
    func sbox() {
        #expect(SoftwareAES128.sbox[0x00] == 0x63)
        #expect(SoftwareAES128.sbox[0x01] == 0x7C)
        #expect(SoftwareAES128.sbox[0x53] == 0xED)   // FIPS-197 §5.1.1's worked example
        #expect(SoftwareAES128.sbox[0xFF] == 0x16)
        #expect(Set(SoftwareAES128.sbox).count == 256)  // a permutation
    }

    @Test("AES-CMAC matches RFC 4493: the subkey, a one-block and a four-block message")
    func cmacVectors() {
        let cmac = AESCMAC<SoftwareAES128>(key: block("2b7e151628aed2a6abf7158809cf4f3c"))
        #expect(cmac.subkey == block("fbeed618357133667c85e08f7236a8de"))
        let m1 = block("6bc1bee22e409f96e93d7e117393172a")
        #expect(cmac.tag(m1) == block("070a16b46b4d4144f79bdd9dd04a287c"))
        let blocks = [m1, block("ae2d8a571e03ac9c9eb76fac45af8e51"),
                      block("30c81c46a35ce411e5fbc1191a0a52ef"), block("f69f2445df4f9b17ad2b417be66c3710")]
        #expect(cmac.tag(blocks: blocks) == block("51f0bebf7e3b9d92fc49741779363cfe"))
        // The two-block form the IPv6 IDs use is the general one.
        #expect(cmac.tag(blocks[0], blocks[1]) == cmac.tag(blocks: Array(blocks[0...1])))
        #expect(cmac.tag(blocks: [m1]) == cmac.tag(m1))
    }

    @Test("A subkey whose doubling carries out of the top bit takes the reduction constant")
    func subkeyCarry() {
        // Find a key whose E(0) has its first bit set, then check K1 = (L << 1) ^ 0x87 bytewise.
        var rng = Xoshiro256(seed: 9)
        for _ in 0..<64 {
            let key = Block128(low: rng.next(), high: rng.next())
            let cipher = SoftwareAES128(key: key)
            let l = cipher.encrypt(.zero)
            guard l.byte(0) & 0x80 != 0 else { continue }
            var expected = [UInt8](repeating: 0, count: 16)
            for index in 0..<16 {
                let next: UInt8 = index < 15 ? l.byte(index + 1) >> 7 : 0
                expected[index] = l.byte(index) << 1 | next
            }
            expected[15] ^= 0x87
            #expect(AESCMAC<SoftwareAES128>(key: key).subkey == Block128(bytes: expected))
            return
        }
        Issue.record("no key among 64 had a subkey with its top bit set")
    }
}
