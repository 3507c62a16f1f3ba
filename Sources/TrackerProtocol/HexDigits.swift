// ASCII hexadecimal text: the one reader (either case) and writer of hex in the project: info
// hashes as text, access-list lines, percent escapes, IPv6 groups, full-scrape and statedump lines.
public enum HexDigits {
    /// The value of one hex digit, `0`–`9`, `a`–`f` or `A`–`F`; nil for any other byte.
    @inlinable
    public static func value(of unit: UInt8) -> UInt8? {
        switch unit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): unit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): unit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): unit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Appends each byte as two digits, most significant first: lowercase as RFC 5952 and our own
    /// logs, or uppercase as opentracker's `to_hex` (full-scrape and statedump lines).
    public static func append(_ bytes: some Sequence<UInt8>, uppercase: Bool = false, to text: inout [UInt8]) {
        let letterBase = uppercase ? UInt8(ascii: "A") : UInt8(ascii: "a")
        func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : letterBase + nibble - 10 }
        for byte in bytes {
            text.append(digit(byte >> 4))
            text.append(digit(byte & 0x0F))
        }
    }

    /// The bytes as lowercase hex text.
    public static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        append(bytes, to: &text)
        return String(decoding: text, as: UTF8.self)
    }
}
