// RFC 3986 query strings as BitTorrent clients send them: `key=value&key=value`, values
// percent-encoded byte by byte (an info_hash is 20 raw bytes, so `%xx` is decoded to a byte, never
// to UTF-8 text). `+` stays `+`, as in opentracker: info_hash bytes are never form-encoded.
public enum HTTPQuery {
    /// Calls `body` for each `key=value` pair, in order, with the raw (still encoded) slices.
    /// A pair without `=` has an empty value. Returning false from `body` stops the walk.
    public static func forEachPair(
        _ query: ArraySlice<UInt8>, _ body: (_ key: ArraySlice<UInt8>, _ value: ArraySlice<UInt8>) -> Bool
    ) {
        var start = query.startIndex
        while start < query.endIndex {
            var end = start
            while end < query.endIndex && query[end] != UInt8(ascii: "&") { end += 1 }
            if end > start {
                let pair = query[start..<end]
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")) {
                    if !body(pair[pair.startIndex..<equals], pair[(equals + 1)...]) { return }
                } else {
                    if !body(pair, pair[pair.endIndex...]) { return }
                }
            }
            start = end + 1
        }
    }

    /// Decodes `%xx` escapes once. Nil when an escape is truncated or not hex.
    public static func percentDecoded(_ encoded: ArraySlice<UInt8>) -> [UInt8]? {
        var result: [UInt8] = []
        result.reserveCapacity(encoded.count)
        var index = encoded.startIndex
        while index < encoded.endIndex {
            let byte = encoded[index]
            if byte == UInt8(ascii: "%") {
                guard encoded.endIndex - index >= 3,
                    let high = HexDigits.value(of: encoded[index + 1]), let low = HexDigits.value(of: encoded[index + 2])
                else { return nil }
                result.append(high << 4 | low)
                index += 3
            } else {
                result.append(byte)
                index += 1
            }
        }
        return result
    }

    /// True when the raw key equals `name` (keys are plain ASCII in every client).
    public static func key(_ key: ArraySlice<UInt8>, is name: String) -> Bool {
        key.count == name.utf8.count && key.elementsEqual(name.utf8)
    }

    /// Unsigned decimal without sign or spaces; nil when empty, not decimal or over UInt64.max.
    public static func unsigned(_ text: ArraySlice<UInt8>) -> UInt64? {
        guard !text.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in text {
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(UInt64(byte - UInt8(ascii: "0")))
            guard !overflow1 && !overflow2 else { return nil }
            value = sum
        }
        return value
    }

    /// Optional leading `-`, then decimal; saturates instead of failing on huge magnitudes.
    public static func signed(_ text: ArraySlice<UInt8>) -> Int64? {
        if text.first == UInt8(ascii: "-") {
            let digits = text.dropFirst()
            guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                return nil
            }
            guard let magnitude = unsigned(digits) else { return Int64.min }
            return magnitude > UInt64(Int64.max) ? Int64.min : -Int64(magnitude)
        }
        guard !text.isEmpty, text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        guard let magnitude = unsigned(text) else { return Int64.max }
        return magnitude > UInt64(Int64.max) ? Int64.max : Int64(magnitude)
    }

}
