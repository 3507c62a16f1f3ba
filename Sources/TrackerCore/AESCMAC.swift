/// AES-CMAC (NIST SP 800-38B, RFC 4493) over messages of whole blocks: a standard MAC whose tag,
/// truncated, is a connection ID. One AES call per block; the subkey is folded into the last
/// block. Messages of whole blocks only (the connection-ID inputs are 16 and 32 bytes), so the
/// second subkey for padded messages is not needed.
public struct AESCMAC<Cipher: AES128Cipher>: Sendable {
    public let cipher: Cipher
    /// K1: the encryption of the zero block doubled in GF(2^128), XORed into a whole last block.
    public let subkey: Block128

    public init(key: Block128) {
        cipher = Cipher(key: key)
        // The bit string is big-endian: block byte 0 holds the most significant bits.
        let encryptedZero = cipher.encrypt(.zero)
        let value = UInt128(encryptedZero.low.byteSwapped) << 64 | UInt128(encryptedZero.high.byteSwapped)
        let doubled = value << 1 ^ (value >> 127 == 0 ? 0 : 0x87)
        subkey = Block128(low: UInt64(truncatingIfNeeded: doubled >> 64).byteSwapped,
                          high: UInt64(truncatingIfNeeded: doubled).byteSwapped)
    }

    /// The tag of a one-block message.
    @inline(__always)
    public func tag(_ block: Block128) -> Block128 {
        cipher.encrypt(block ^ subkey)
    }

    /// The tag of a two-block message.
    @inline(__always)
    public func tag(_ first: Block128, _ second: Block128) -> Block128 {
        cipher.encrypt(cipher.encrypt(first) ^ second ^ subkey)
    }

    /// The tag of any non-empty message of whole blocks (the RFC's longer vectors).
    public func tag(blocks: [Block128]) -> Block128 {
        precondition(!blocks.isEmpty, "AESCMAC.tag(blocks:) takes at least one whole block")
        var chain = Block128.zero
        for block in blocks.dropLast() { chain = cipher.encrypt(chain ^ block) }
        return cipher.encrypt(chain ^ blocks[blocks.count - 1] ^ subkey)
    }
}
