// A textual IP address from an `ip=` parameter or an `X-Forwarded-For` header. Numeric values,
// big-endian halves for IPv6, so the server maps it onto the core's address types without parsing.
public enum HTTPAddressLiteral: Hashable, Sendable {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// Dotted quad (`10.9.8.7`) or RFC 4291 text (`2001:db8::1`, `::ffff:1.2.3.4`), optionally in
    /// brackets; surrounding spaces are ignored. An IPv4-mapped IPv6 address is returned as `.v4`:
    /// the same peer whichever socket family it came through. Anything else is nil.
    public init?(parsing text: some Collection<UInt8>) {
        var bytes = Array(text)
        while bytes.first == UInt8(ascii: " ") || bytes.first == UInt8(ascii: "\t") { bytes.removeFirst() }
        while bytes.last == UInt8(ascii: " ") || bytes.last == UInt8(ascii: "\t") { bytes.removeLast() }
        if bytes.first == UInt8(ascii: "["), bytes.last == UInt8(ascii: "]"), bytes.count >= 2 {
            bytes = Array(bytes[1..<(bytes.count - 1)])
        }
        guard !bytes.isEmpty, bytes.count <= 45 else { return nil }  // 45: longest IPv6 text form
        if bytes.contains(UInt8(ascii: ":")) {
            guard let (high, low) = Self.parseIPv6(bytes[...]) else { return nil }
            if high == 0, low >> 32 == 0xFFFF {
                self = .v4(UInt32(truncatingIfNeeded: low))
            } else {
                self = .v6(high: high, low: low)
            }
        } else {
            guard let value = Self.parseIPv4(bytes[...]) else { return nil }
            self = .v4(value)
        }
    }

    static func parseIPv4(_ text: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false) {
            guard part.count >= 1, part.count <= 3, let octet = HTTPQuery.unsigned(part), octet <= 255 else {
                return nil
            }
            value = value << 8 | UInt32(octet)
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseIPv6(_ text: ArraySlice<UInt8>) -> (UInt64, UInt64)? {
        // Split at "::" once; each side is a list of 16-bit groups (the right side may end in IPv4).
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var compressed = false
        var sides: [ArraySlice<UInt8>] = []
        if let range = Self.doubleColon(in: text) {
            compressed = true
            sides = [text[text.startIndex..<range], text[(range + 2)...]]
            if Self.doubleColon(in: sides[1]) != nil { return nil }
        } else {
            sides = [text]
        }
        for (sideIndex, side) in sides.enumerated() {
            guard !side.isEmpty else { continue }
            let groups = side.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
            var parsed: [UInt16] = []
            for (index, group) in groups.enumerated() {
                // RFC 4291 §2.2: a dotted quad only as the address's last 32 bits, so only at the
                // end of the last side ("1.2.3.4::" is no address).
                if sideIndex == sides.count - 1, index == groups.count - 1, group.contains(UInt8(ascii: ".")) {
                    guard let v4 = parseIPv4(group) else { return nil }
                    parsed.append(UInt16(truncatingIfNeeded: v4 >> 16))
                    parsed.append(UInt16(truncatingIfNeeded: v4))
                    continue
                }
                guard group.count >= 1, group.count <= 4 else { return nil }
                var word: UInt16 = 0
                for unit in group {
                    guard let nibble = HTTPQuery.nibble(unit) else { return nil }
                    word = word << 4 | UInt16(nibble)
                }
                parsed.append(word)
            }
            if sideIndex == 0 { head = parsed } else { tail = parsed }
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

    private static func doubleColon(in text: ArraySlice<UInt8>) -> Int? {
        var index = text.startIndex
        while index + 1 < text.endIndex {
            if text[index] == UInt8(ascii: ":") && text[index + 1] == UInt8(ascii: ":") { return index }
            index += 1
        }
        return nil
    }
}
