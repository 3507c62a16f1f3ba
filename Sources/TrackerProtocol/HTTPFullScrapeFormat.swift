// Full scrape (`GET /scrape`, `/stats?mode=tpbs&format=…`, `/stats?mode=statedump`) output formats,
// opentracker's `fullscrape_write_one` in ot_fullscrape.c:
//
// | format | one torrent |
// |---|---|
// | `ben` (default) | `20:<hash>d8:completei…e10:downloadedi…e10:incompletei…ee` inside `d5:filesd…ee` |
// | `bin` | 20-byte hash, seeders u32 big-endian, leechers u32 big-endian |
// | `url` | percent-encoded hash `:seeders:leechers\n` |
// | `txt` | `HEX40:seeders:leechers\n` |
// | `txtp` | `HEX40:seeders:leechers:downloaded\n` |
// | `statedump` | `HEX40:base_minutes:downloaded\n` (only through `mode=statedump`; read back by `-l`) |
//
// Hex is uppercase, as opentracker's `to_hex`.
public enum HTTPFullScrapeFormat: String, CaseIterable, Hashable, Sendable {
    case ben, bin, url, txt, txtp, statedump

    public enum ParseResult: Hashable, Sendable {
        case format(HTTPFullScrapeFormat)
        case invalid(HTTPInvalidReason)
    }

    /// `format=` of a full scrape or `mode=tpbs`; nil when absent. `statedump` is a stats mode,
    /// not a format (as in opentracker's `keywords_format`).
    public static func parseFormat(query: ArraySlice<UInt8>?) -> (format: HTTPFullScrapeFormat?, invalid: HTTPInvalidReason?) {
        var format: HTTPFullScrapeFormat?
        var invalid: HTTPInvalidReason?
        HTTPQuery.forEachPair(query ?? []) { key, value in
            guard HTTPQuery.key(key, is: "format") else { return true }
            guard let decoded = HTTPQuery.percentDecoded(value),
                let parsed = HTTPFullScrapeFormat(rawValue: String(decoding: decoded, as: UTF8.self)), parsed != .statedump
            else {
                invalid = .unknownFormat
                return false
            }
            format = parsed
            return true
        }
        return (invalid == nil ? format : nil, invalid)
    }

    public static func parse(query: ArraySlice<UInt8>?) -> ParseResult {
        let parsed = parseFormat(query: query)
        if let reason = parsed.invalid { return .invalid(reason) }
        return .format(parsed.format ?? .ben)
    }

    public var contentType: String {
        switch self {
        case .ben, .bin: "application/octet-stream"
        case .url, .txt, .txtp, .statedump: "text/plain"
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

    /// One torrent. `lastActivity` (Unix seconds) is only written by `statedump`, as whole
    /// minutes: opentracker's `base` is its minute clock.
    public func appendEntry(
        _ infoHash: InfoHash, seeders: UInt32, leechers: UInt32, downloaded: UInt32, lastActivity: UInt32 = 0,
        to bytes: inout [UInt8]
    ) {
        switch self {
        case .ben:
            bytes.append(contentsOf: "20:".utf8)
            bytes.append(contentsOf: infoHash.bytes)
            HTTPBencode.appendScrapeCounts(seeders: seeders, leechers: leechers, downloaded: downloaded, to: &bytes)
        case .bin:
            bytes.append(contentsOf: infoHash.bytes)
            for value in [seeders, leechers] {
                bytes.append(contentsOf: [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) })
            }
        case .url:
            Self.appendPercentEncoded(infoHash.bytes, to: &bytes)
            Self.appendNumbers([UInt64(seeders), UInt64(leechers)], to: &bytes)
        case .txt:
            Self.appendHex(infoHash.bytes, to: &bytes)
            Self.appendNumbers([UInt64(seeders), UInt64(leechers)], to: &bytes)
        case .txtp:
            Self.appendHex(infoHash.bytes, to: &bytes)
            Self.appendNumbers([UInt64(seeders), UInt64(leechers), UInt64(downloaded)], to: &bytes)
        case .statedump:
            Self.appendHex(infoHash.bytes, to: &bytes)
            Self.appendNumbers([UInt64(lastActivity / 60), UInt64(downloaded)], to: &bytes)
        }
    }

    static func appendHex(_ hash: [UInt8], to bytes: inout [UInt8]) {
        HexDigits.append(hash, uppercase: true, to: &bytes)
    }

    /// RFC 3986 unreserved bytes as they are, every other byte `%XX`.
    static func appendPercentEncoded(_ hash: [UInt8], to bytes: inout [UInt8]) {
        for byte in hash {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                bytes.append(byte)
            default:
                bytes.append(UInt8(ascii: "%"))
                HexDigits.append(CollectionOfOne(byte), uppercase: true, to: &bytes)
            }
        }
    }

    /// `:a:b…\n`
    static func appendNumbers(_ values: [UInt64], to bytes: inout [UInt8]) {
        for value in values {
            bytes.append(UInt8(ascii: ":"))
            ASCIIDecimal.append(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "\n"))
    }
}
