// Full scrape (`GET /scrape`) output formats, opentracker.md §3: `ben` (default), the bencoded
// `files` dictionary of a scrape, and `txt`, one `HEX40:seeders:leechers` line per torrent.
public enum HTTPFullScrapeFormat: String, CaseIterable, Hashable, Sendable {
    case ben, txt

    public enum ParseResult: Hashable, Sendable {
        case format(HTTPFullScrapeFormat)
        case invalid(HTTPInvalidReason)
    }

    public static func parse(query: ArraySlice<UInt8>?) -> ParseResult {
        var format = HTTPFullScrapeFormat.ben
        var invalid: HTTPInvalidReason?
        HTTPQuery.forEachPair(query ?? []) { key, value in
            guard HTTPQuery.key(key, is: "format") else { return true }
            guard let decoded = HTTPQuery.percentDecoded(value),
                let parsed = HTTPFullScrapeFormat(rawValue: String(decoding: decoded, as: UTF8.self))
            else {
                invalid = .unknownFormat
                return false
            }
            format = parsed
            return true
        }
        if let invalid { return .invalid(invalid) }
        return .format(format)
    }

    public var contentType: String {
        switch self {
        case .ben: "application/octet-stream"
        case .txt: "text/plain"
        }
    }

    /// Written once before the first entry.
    public func appendPrefix(to bytes: inout [UInt8]) {
        if self == .ben { bytes.append(contentsOf: "d5:filesd".utf8) }
    }

    /// Written once after the last entry.
    public func appendSuffix(to bytes: inout [UInt8]) {
        if self == .ben { bytes.append(contentsOf: "ee".utf8) }
    }

    /// One torrent: `20:<hash>d8:completei…e10:downloadedi…e10:incompletei…ee` or
    /// `HEX40:seeders:leechers\n` (uppercase hex, as opentracker).
    public func appendEntry(
        _ infoHash: InfoHash, seeders: UInt32, leechers: UInt32, downloaded: UInt32, to bytes: inout [UInt8]
    ) {
        switch self {
        case .ben:
            bytes.append(contentsOf: "20:".utf8)
            bytes.append(contentsOf: infoHash.bytes)
            HTTPBencode.appendScrapeCounts(seeders: seeders, leechers: leechers, downloaded: downloaded, to: &bytes)
        case .txt:
            let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
            for byte in infoHash.bytes {
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0F)])
            }
            bytes.append(UInt8(ascii: ":"))
            HTTPBencode.appendDecimal(UInt64(seeders), to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            HTTPBencode.appendDecimal(UInt64(leechers), to: &bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
    }
}
