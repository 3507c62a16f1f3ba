/// Numeric IPv4 / IPv6 text, parsed without Foundation or libc (settings are parsed before any
/// socket exists, and the same code serves CIDRs and listener addresses).
enum IPAddressText {
    /// Dotted quad, exactly four decimal parts 0...255: "192.0.2.1". Returns the 4 bytes.
    static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes = [UInt8]()
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let value = UInt8(part)
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    /// RFC 4291 §2.2 text: eight groups, one "::", optional dotted-quad tail. Returns 16 bytes.
    static func parseIPv6(_ text: Substring) -> [UInt8]? {
        guard !text.isEmpty, text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var sawDoubleColon = false
        if let range = text.firstRange(of: "::") {
            sawDoubleColon = true
            let after = text[range.upperBound...]
            if after.contains("::") { return nil }
            guard let parsedHead = groups(text[text.startIndex..<range.lowerBound], allowIPv4Tail: false),
                let parsedTail = groups(after, allowIPv4Tail: true)
            else { return nil }
            head = parsedHead
            tail = parsedTail
        } else {
            guard let parsed = groups(text, allowIPv4Tail: true) else { return nil }
            head = parsed
        }
        let total = head.count + tail.count
        if sawDoubleColon {
            guard total <= 7 else { return nil }
        } else {
            guard total == 8 else { return nil }
        }
        let words = head + [UInt16](repeating: 0, count: 8 - total) + tail
        var bytes = [UInt8]()
        bytes.reserveCapacity(16)
        for word in words {
            bytes.append(UInt8(word >> 8))
            bytes.append(UInt8(word & 0xFF))
        }
        return bytes
    }

    /// Colon-separated hex groups; an empty string is zero groups.
    private static func groups(_ text: Substring, allowIPv4Tail: Bool) -> [UInt16]? {
        if text.isEmpty { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var words: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, allowIPv4Tail, part.contains(".") {
                guard let v4 = parseIPv4(part) else { return nil }
                words.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                words.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                continue
            }
            guard !part.isEmpty, part.count <= 4, let word = UInt16(part, radix: 16),
                part.utf8.allSatisfy({ isHex($0) })
            else { return nil }
            words.append(word)
        }
        return words
    }

    private static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
    }

    static func formatIPv4(_ bytes: [UInt8]) -> String {
        bytes.map { String($0) }.joined(separator: ".")
    }

    /// RFC 5952 canonical form: lowercase, leading zeros dropped, the longest run (≥ 2) of zero
    /// groups as "::", IPv4-mapped addresses with a dotted tail.
    static func formatIPv6(_ bytes: [UInt8]) -> String {
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
}
