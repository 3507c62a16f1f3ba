/// AES-128 encryption of single blocks with a key fixed at init: what the connection-ID MAC
/// (`AESCMAC`) runs on. `SoftwareAES128` is the portable implementation; TrackerServer's
/// `HardwareAES128` runs the same cipher on the CPU's AES instructions.
public protocol AES128Cipher: Sendable {
    init(key: Block128)
    func encrypt(_ block: Block128) -> Block128
}

/// AES-128 (FIPS-197) in plain Swift with lookup tables (the S-box and its MixColumns column): the
/// reference the hardware path is tested against, and the cipher on CPUs without AES instructions
/// (about 4× SipHash-2-4's time: 100 against 24 ns per one-block MAC on this machine). Not constant-time
/// (the lookups depend on the key and the input), which is why the daemon prefers the hardware.
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

    /// One table lookup per byte and round: the state is four column words (byte r of column c at
    /// bits 8r of word c, which is input bytes 4c…4c+3), and `mixTable[x]` is S-box byte x's column
    /// after MixColumns in row 0; rows 1–3 are the same word rotated. ShiftRows picks the column.
    public func encrypt(_ block: Block128) -> Block128 {
        let mix = Self.mixTable
        var key = roundKeys[0]
        var w0 = UInt32(truncatingIfNeeded: block.low ^ key.low)
        var w1 = UInt32(truncatingIfNeeded: (block.low ^ key.low) >> 32)
        var w2 = UInt32(truncatingIfNeeded: block.high ^ key.high)
        var w3 = UInt32(truncatingIfNeeded: (block.high ^ key.high) >> 32)
        @inline(__always) func column(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 {
            mix[Int(a & 0xFF)] ^ mix[Int(b >> 8 & 0xFF)].rotatedLeft(8)
                ^ mix[Int(c >> 16 & 0xFF)].rotatedLeft(16) ^ mix[Int(d >> 24)].rotatedLeft(24)
        }
        for round in 1..<10 {
            key = roundKeys[round]
            let n0 = column(w0, w1, w2, w3) ^ UInt32(truncatingIfNeeded: key.low)
            let n1 = column(w1, w2, w3, w0) ^ UInt32(truncatingIfNeeded: key.low >> 32)
            let n2 = column(w2, w3, w0, w1) ^ UInt32(truncatingIfNeeded: key.high)
            let n3 = column(w3, w0, w1, w2) ^ UInt32(truncatingIfNeeded: key.high >> 32)
            (w0, w1, w2, w3) = (n0, n1, n2, n3)
        }
        // The last round has no MixColumns: S-box bytes only.
        let sbox = Self.sbox
        @inline(__always) func last(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> UInt32 {
            UInt32(sbox[Int(a & 0xFF)]) | UInt32(sbox[Int(b >> 8 & 0xFF)]) << 8
                | UInt32(sbox[Int(c >> 16 & 0xFF)]) << 16 | UInt32(sbox[Int(d >> 24)]) << 24
        }
        key = roundKeys[10]
        let low = UInt64(last(w0, w1, w2, w3)) | UInt64(last(w1, w2, w3, w0)) << 32
        let high = UInt64(last(w2, w3, w0, w1)) | UInt64(last(w3, w0, w1, w2)) << 32
        return Block128(low: low ^ key.low, high: high ^ key.high)
    }

    /// S-box byte s of x as the column (2s, s, s, 3s), row 0 in the low byte: MixColumns' share of
    /// a row-0 byte; a row-r byte's share is this word rotated left by 8r bits.
    static let mixTable: [UInt32] = sbox.map { s in
        let doubled = double(s)
        return UInt32(doubled) | UInt32(s) << 8 | UInt32(s) << 16 | UInt32(doubled ^ s) << 24
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

extension UInt32 {
    @inline(__always)
    fileprivate func rotatedLeft(_ count: UInt32) -> UInt32 {
        (self << count) | (self >> (32 - count))
    }
}
