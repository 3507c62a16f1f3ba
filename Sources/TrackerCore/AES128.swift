/// One 128-bit block: bytes 0–7 in `low`, 8–15 in `high`, each word little-endian, so the layout
/// is the block's bytes in order on a little-endian machine (what an AES instruction loads).
public struct Block128: Sendable, Equatable {
    public var low: UInt64
    public var high: UInt64

    @inline(__always)
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// The block of 16 bytes in order (test vectors are written this way).
    public init(bytes: some Collection<UInt8>) {
        precondition(bytes.count == 16, "Block128 needs 16 bytes")
        var low: UInt64 = 0
        var high: UInt64 = 0
        for (index, byte) in bytes.enumerated() {
            if index < 8 { low |= UInt64(byte) << (8 * UInt64(index)) } else { high |= UInt64(byte) << (8 * UInt64(index - 8)) }
        }
        self.init(low: low, high: high)
    }

    /// Byte `index` (0–15) of the block.
    @inline(__always)
    public func byte(_ index: Int) -> UInt8 {
        index < 8 ? UInt8(truncatingIfNeeded: low >> (8 * UInt64(index))) : UInt8(truncatingIfNeeded: high >> (8 * UInt64(index - 8)))
    }

    @inline(__always)
    public static func ^ (a: Block128, b: Block128) -> Block128 {
        Block128(low: a.low ^ b.low, high: a.high ^ b.high)
    }

    public static let zero = Block128(low: 0, high: 0)
}

/// AES-128 encryption of single blocks with a key fixed at init: what the connection-ID MAC
/// (`AESCMAC`) runs on. `SoftwareAES128` is the portable implementation; TrackerIO's
/// `HardwareAES128` runs the same cipher on the CPU's AES instructions.
public protocol AES128Cipher: Sendable {
    init(key: Block128)
    func encrypt(_ block: Block128) -> Block128
}

/// AES-128 (FIPS-197) in plain Swift, byte by byte with an S-box table: the reference the hardware
/// path is tested against, and the cipher on CPUs without AES instructions. Not constant-time (the
/// table lookups depend on the key and the input), which is why the daemon prefers the hardware.
public struct SoftwareAES128: AES128Cipher {
    /// The eleven round keys of the key schedule, in order.
    public let roundKeys: InlineArray<11, Block128>

    public init(key: Block128) {
        roundKeys = Self.expand(key)
    }

    /// FIPS-197 §5.2: 44 words, each the word four back XOR the previous one, every fourth rotated,
    /// substituted and XORed with the round constant.
    static func expand(_ key: Block128) -> InlineArray<11, Block128> {
        var words = InlineArray<44, UInt32>(repeating: 0)
        // Word i holds key bytes 4i…4i+3 with byte 4i in its low end.
        words[0] = UInt32(truncatingIfNeeded: key.low)
        words[1] = UInt32(truncatingIfNeeded: key.low >> 32)
        words[2] = UInt32(truncatingIfNeeded: key.high)
        words[3] = UInt32(truncatingIfNeeded: key.high >> 32)
        var roundConstant: UInt8 = 1
        for index in 4..<44 {
            var word = words[index - 1]
            if index % 4 == 0 {
                // RotWord moves byte 0 to the end: with byte 0 in the low end, a right rotation.
                word = (word >> 8) | (word << 24)
                word = Self.substitute(word) ^ UInt32(roundConstant)
                roundConstant = Self.double(roundConstant)
            }
            words[index] = words[index - 4] ^ word
        }
        return InlineArray { round in
            Block128(
                low: UInt64(words[4 * round]) | UInt64(words[4 * round + 1]) << 32,
                high: UInt64(words[4 * round + 2]) | UInt64(words[4 * round + 3]) << 32)
        }
    }

    public func encrypt(_ block: Block128) -> Block128 {
        // The state s[r + 4c] is byte r of column c, which is input byte r + 4c.
        var state = InlineArray<16, UInt8> { block.byte($0) }
        Self.addRoundKey(&state, roundKeys[0])
        for round in 1..<11 {
            var next = InlineArray<16, UInt8>(repeating: 0)
            // SubBytes and ShiftRows together: row r moves r columns to the left.
            for column in 0..<4 {
                for row in 0..<4 {
                    next[row + 4 * column] = Self.sbox[Int(state[row + 4 * ((column + row) % 4)])]
                }
            }
            if round < 10 {
                for column in 0..<4 {
                    let a0 = next[4 * column], a1 = next[4 * column + 1]
                    let a2 = next[4 * column + 2], a3 = next[4 * column + 3]
                    let all = a0 ^ a1 ^ a2 ^ a3
                    next[4 * column] = a0 ^ all ^ Self.double(a0 ^ a1)
                    next[4 * column + 1] = a1 ^ all ^ Self.double(a1 ^ a2)
                    next[4 * column + 2] = a2 ^ all ^ Self.double(a2 ^ a3)
                    next[4 * column + 3] = a3 ^ all ^ Self.double(a3 ^ a0)
                }
            }
            state = next
            Self.addRoundKey(&state, roundKeys[round])
        }
        var low: UInt64 = 0
        var high: UInt64 = 0
        for index in 0..<8 {
            low |= UInt64(state[index]) << (8 * UInt64(index))
            high |= UInt64(state[index + 8]) << (8 * UInt64(index))
        }
        return Block128(low: low, high: high)
    }

    private static func addRoundKey(_ state: inout InlineArray<16, UInt8>, _ key: Block128) {
        for index in 0..<16 { state[index] ^= key.byte(index) }
    }

    /// Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197's xtime).
    private static func double(_ byte: UInt8) -> UInt8 {
        (byte << 1) ^ (byte & 0x80 == 0 ? 0 : 0x1B)
    }

    private static func substitute(_ word: UInt32) -> UInt32 {
        var result: UInt32 = 0
        for shift in stride(from: UInt32(0), to: 32, by: 8) {
            result |= UInt32(sbox[Int(UInt8(truncatingIfNeeded: word >> shift))]) << shift
        }
        return result
    }

    /// FIPS-197 figure 7: the S-box, generated from its definition (the multiplicative inverse in
    /// GF(2^8) followed by the affine map) rather than typed in.
    static let sbox: [UInt8] = {
        func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
            var a = a, b = b, product: UInt8 = 0
            for _ in 0..<8 {
                if b & 1 != 0 { product ^= a }
                a = double(a)
                b >>= 1
            }
            return product
        }
        return (0..<256).map { value -> UInt8 in
            let byte = UInt8(value)
            // The inverse is byte^254 (0 maps to 0): square-and-multiply over the exponent's bits.
            var inverse: UInt8 = 1
            var power = byte
            var exponent = 254
            while exponent > 0 {
                if exponent & 1 != 0 { inverse = multiply(inverse, power) }
                power = multiply(power, power)
                exponent >>= 1
            }
            if byte == 0 { inverse = 0 }
            let rotations = inverse ^ inverse.rotatedLeft(1) ^ inverse.rotatedLeft(2) ^ inverse.rotatedLeft(3) ^ inverse.rotatedLeft(4)
            return rotations ^ 0x63
        }
    }()
}

extension UInt8 {
    fileprivate func rotatedLeft(_ count: UInt8) -> UInt8 {
        (self << count) | (self >> (8 - count))
    }
}

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
