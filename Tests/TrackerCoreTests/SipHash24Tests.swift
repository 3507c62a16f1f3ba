@testable import TrackerCore
import Testing

@Suite("SipHash-2-4")
struct SipHash24Tests {
    @Test("SipHash-2-4 matches the reference vector from the paper")
    func sipHashVector() {
        // SipHash-2-4 no longer makes connection IDs; it keys the new-torrent budget's slots.
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
}
