// Minimal BEP 3 bencode writer for the HTTP announce, scrape and error replies.
//
// Writing only, into one growing byte array the HTTP front can hand to NIO: trackers never need to
// read bencode. Dictionary keys must be written in sorted raw-byte order (BEP 3); the HTTP layer
// writes fixed keys in opentracker's order (complete, downloaded, incomplete, interval, …), which
// is sorted, so no sorting or buffering happens here.
public struct BencodeWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(reservingCapacity capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// `i<decimal>e`, BEP 3: no leading zeros, no `-0`.
    public mutating func integer(_ value: Int64) {
        bytes.append(UInt8(ascii: "i"))
        appendDecimal(value)
        bytes.append(UInt8(ascii: "e"))
    }

    /// `<length>:<bytes>`, raw bytes (compact peers, info_hash keys).
    public mutating func string(_ value: some Collection<UInt8>) {
        appendDecimal(Int64(value.count))
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: value)
    }

    /// `<length>:<UTF-8>`; the length counts bytes, not characters (BEP 3).
    public mutating func string(_ text: String) {
        string(text.utf8)
    }

    public mutating func beginDictionary() {
        bytes.append(UInt8(ascii: "d"))
    }

    public mutating func beginList() {
        bytes.append(UInt8(ascii: "l"))
    }

    /// Closes the innermost dictionary or list.
    public mutating func end() {
        bytes.append(UInt8(ascii: "e"))
    }

    private mutating func appendDecimal(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        // Magnitude as UInt64 so Int64.min does not overflow.
        ASCIIDecimal.append(value.magnitude, to: &bytes)
    }
}
