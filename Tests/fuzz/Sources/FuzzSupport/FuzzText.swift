/// Byte-level text helpers for the targets' reference readings, written apart from the parsers
/// they check.
public enum FuzzText {
    /// The value of one hex digit, either case.
    public static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    public static func isHex(_ byte: UInt8) -> Bool { hexValue(byte) != nil }

    /// The lines of a text file as the readers document them: LF, CR and CRLF each end a line (CRLF
    /// as a CR line end followed by an empty line). Empty pieces are kept.
    public static func lines(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(omittingEmptySubsequences: false, whereSeparator: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") })
    }
}
