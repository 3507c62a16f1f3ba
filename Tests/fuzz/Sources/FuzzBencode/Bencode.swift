/// A decoded bencode value (BEP 3), and a strict decoder for checking what the writer produced.
indirect enum Bencode: Equatable {
    struct Entry: Equatable {
        var key: [UInt8]
        var value: Bencode
    }

    case integer(Int64)
    case string([UInt8])
    case list([Bencode])
    case dictionary([Entry])

    /// Canonical BEP 3 only: no leading zeros or `-0`, integers within Int64, dictionary keys
    /// strictly increasing in raw byte order, and nothing after the value. Nil otherwise.
    static func decode(_ bytes: [UInt8]) -> Bencode? {
        var decoder = Decoder(bytes: bytes)
        guard let value = decoder.value(depth: 0), decoder.position == bytes.count else { return nil }
        return value
    }

    /// The value of `key` in a dictionary.
    subscript(key: String) -> Bencode? {
        guard case .dictionary(let entries) = self else { return nil }
        return entries.first { $0.key.elementsEqual(key.utf8) }?.value
    }

    var keys: [String] {
        guard case .dictionary(let entries) = self else { return [] }
        return entries.map { String(decoding: $0.key, as: UTF8.self) }
    }

    struct Decoder {
        /// Deeper than anything the tracker writes; bounds the recursion.
        static let maximumDepth = 64
        let bytes: [UInt8]
        var position = 0

        mutating func value(depth: Int) -> Bencode? {
            guard depth < Self.maximumDepth, position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "i"):
                position += 1
                guard let number = integer(terminator: UInt8(ascii: "e")) else { return nil }
                return .integer(number)
            case UInt8(ascii: "l"):
                position += 1
                var items: [Bencode] = []
                while position < bytes.count, bytes[position] != UInt8(ascii: "e") {
                    guard let item = value(depth: depth + 1) else { return nil }
                    items.append(item)
                }
                guard position < bytes.count else { return nil }
                position += 1
                return .list(items)
            case UInt8(ascii: "d"):
                position += 1
                var entries: [Entry] = []
                while position < bytes.count, bytes[position] != UInt8(ascii: "e") {
                    guard let key = string(), let item = value(depth: depth + 1) else { return nil }
                    if let last = entries.last?.key, !last.lexicographicallyPrecedes(key) { return nil }
                    entries.append(Entry(key: key, value: item))
                }
                guard position < bytes.count else { return nil }
                position += 1
                return .dictionary(entries)
            default:
                return string().map { .string($0) }
            }
        }

        mutating func string() -> [UInt8]? {
            guard let length = integer(terminator: UInt8(ascii: ":")), length >= 0,
                length <= bytes.count - position
            else { return nil }
            defer { position += Int(length) }
            return Array(bytes[position..<(position + Int(length))])
        }

        /// Decimal up to `terminator`, which is consumed.
        mutating func integer(terminator: UInt8) -> Int64? {
            var negative = false
            if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
                negative = true
                position += 1
            }
            let digitsStart = position
            var magnitude: UInt64 = 0
            while position < bytes.count, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
                let (times, overflow) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
                guard !overflow, !carry else { return nil }
                magnitude = sum
                position += 1
            }
            let digits = position - digitsStart
            guard digits > 0, position < bytes.count, bytes[position] == terminator else { return nil }
            // No leading zeros, no "-0" (BEP 3).
            if bytes[digitsStart] == UInt8(ascii: "0"), digits > 1 || negative { return nil }
            position += 1
            if negative {
                guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
                return magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)
            }
            return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
    }
}
