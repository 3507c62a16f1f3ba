/// Outside text quoted in an error message: at most `maximumCharacters` characters, single-quoted,
/// with everything that is not printable ASCII escaped (`\e`-style control bytes, CR and NUL as
/// `\x1B`, `\r`, `\0`; other non-ASCII as `\u{…}`), so a config line cannot move the cursor, hide
/// text, cut the message short or flood a terminal or the journal. A longer text ends in `…` and
/// names its length in bytes.
struct TextExcerpt: CustomStringConvertible {
    static let maximumCharacters = 60
    let text: Substring

    init(_ text: some StringProtocol) { self.text = Substring(text) }

    var description: String {
        var quoted = "'"
        var shown = 0
        for scalar in text.unicodeScalars {
            if shown == Self.maximumCharacters { return quoted + "…' (\(text.utf8.count) bytes)" }
            quoted += Self.escaped(scalar)
            shown += 1
        }
        return quoted + "'"
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0: "\\0"
        case 0x09: "\\t"
        case 0x0A: "\\n"
        case 0x0D: "\\r"
        case 0x27: "\\'"
        case 0x5C: "\\\\"
        case 0x20...0x7E: String(scalar)
        case 0...0xFF: "\\x" + hex(scalar.value, digits: 2)
        default: "\\u{" + hex(scalar.value, digits: 4) + "}"
        }
    }

    static func hex(_ value: UInt32, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(digits - text.count, 0)) + text
    }

    /// True if any scalar would be escaped other than a tab: no setting's value holds one.
    static func hasControlCharacters(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.contains { $0.value < 0x20 && $0.value != 0x09 || $0.value == 0x7F }
    }
}
