// Numeric IPv4 / IPv6 text, parsed without Foundation or libc: the one parser behind `ip=` and
// `X-Forwarded-For` values, CIDRs and listener addresses (settings are parsed before any socket
// exists). Host names are never resolved here.
public enum IPAddressText {
    /// 45 bytes: the longest RFC 4291 text form (`ffff:…:ffff:255.255.255.255`).
    public static let maxIPv6Length = 45

    /// Dotted quad, exactly four decimal parts 0...255 of 1–3 digits: "192.0.2.1".
    public static func parseIPv4(_ text: some Collection<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard parts < 4, part.count >= 1, part.count <= 3,
                part.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
            else { return nil }
            let octet = part.reduce(0) { $0 * 10 + UInt32($1 - UInt8(ascii: "0")) }
            guard octet <= 255 else { return nil }
            value = value << 8 | octet
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    /// RFC 4291 §2.2 text: eight groups, at most one "::", an optional dotted-quad tail as the last
    /// two groups. Returns the address as big-endian halves.
    public static func parseIPv6(_ text: some Collection<UInt8>) -> (high: UInt64, low: UInt64)? {
        let text = Array(text)[...]
        guard !text.isEmpty, text.count <= maxIPv6Length else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        let compressed: Bool
        if let split = doubleColon(in: text) {
            compressed = true
            let after = text[(split + 2)...]
            guard doubleColon(in: after) == nil,
                let parsedHead = groups(text[..<split], allowIPv4Tail: false),
                let parsedTail = groups(after, allowIPv4Tail: true)
            else { return nil }
            head = parsedHead
            tail = parsedTail
        } else {
            compressed = false
            guard let parsed = groups(text, allowIPv4Tail: true) else { return nil }
            head = parsed
        }
        let total = head.count + tail.count
        guard compressed ? total <= 7 : total == 8 else { return nil }
        let words = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for index in 0..<4 { high = high << 16 | UInt64(words[index]) }
        for index in 4..<8 { low = low << 16 | UInt64(words[index]) }
        return (high, low)
    }

    /// `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), what a dual-stack socket or a proxy reports for an IPv4
    /// client: the IPv4 address, or nil for any other IPv6 address. The one place that decides a
    /// mapped address is the IPv4 peer (same identity, 6-byte peers).
    @inlinable
    public static func mappedIPv4(high: UInt64, low: UInt64) -> UInt32? {
        high == 0 && low >> 32 == 0xFFFF ? UInt32(truncatingIfNeeded: low) : nil
    }

    /// The 4 bytes of a dotted quad, for settings that keep networks as bytes.
    public static func ipv4Bytes(_ text: some StringProtocol) -> [UInt8]? {
        parseIPv4(text.utf8).map { value in [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
    }

    /// The 16 bytes of an IPv6 address.
    public static func ipv6Bytes(_ text: some StringProtocol) -> [UInt8]? {
        guard let (high, low) = parseIPv6(text.utf8) else { return nil }
        return [high, low].flatMap { word in stride(from: 56, through: 0, by: -8).map { UInt8(truncatingIfNeeded: word >> UInt64($0)) } }
    }

    public static func formatIPv4(_ bytes: [UInt8]) -> String {
        bytes.map { String($0) }.joined(separator: ".")
    }

    /// RFC 5952 canonical form: lowercase, leading zeros dropped, the longest run (≥ 2) of zero
    /// groups as "::", IPv4-mapped addresses with a dotted tail.
    public static func formatIPv6(_ bytes: [UInt8]) -> String {
        var words = [UInt16]()
        for index in stride(from: 0, to: 16, by: 2) { words.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1])) }
        if words[0..<5].allSatisfy({ $0 == 0 }) && words[5] == 0xFFFF {
            return "::ffff:" + formatIPv4(Array(bytes[12..<16]))
        }
        var bestStart = -1, bestLength = 0, runStart = -1
        for index in 0...8 {
            if index < 8 && words[index] == 0 {
                if runStart < 0 { runStart = index }
            } else if runStart >= 0 {
                if index - runStart > bestLength { bestStart = runStart; bestLength = index - runStart }
                runStart = -1
            }
        }
        if bestLength < 2 { return words.map { String($0, radix: 16) }.joined(separator: ":") }
        let head = words[0..<bestStart].map { String($0, radix: 16) }.joined(separator: ":")
        let tail = words[(bestStart + bestLength)...].map { String($0, radix: 16) }.joined(separator: ":")
        return head + "::" + tail
    }

    /// Colon-separated groups of 1–4 hex digits; empty text is zero groups.
    private static func groups(_ text: ArraySlice<UInt8>, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowIPv4Tail, part.contains(UInt8(ascii: ".")) {
                guard let v4 = parseIPv4(part) else { return nil }
                words.append(UInt16(truncatingIfNeeded: v4 >> 16))
                words.append(UInt16(truncatingIfNeeded: v4))
                continue
            }
            guard part.count >= 1, part.count <= 4 else { return nil }
            var word: UInt16 = 0
            for unit in part {
                guard let nibble = HexDigits.value(of: unit) else { return nil }
                word = word << 4 | UInt16(nibble)
            }
            words.append(word)
        }
        return words
    }

    private static func doubleColon(in text: ArraySlice<UInt8>) -> Int? {
        var index = text.startIndex
        while index + 1 < text.endIndex {
            if text[index] == UInt8(ascii: ":") && text[index + 1] == UInt8(ascii: ":") { return index }
            index += 1
        }
        return nil
    }
}
