// BEP 48 scrape: `info_hash` repeated, up to 64 (extra ones ignored, as opentracker's ot_http.c `http_handle_scrape`).
public struct HTTPScrapeRequest: Hashable, Sendable {
    /// Distinct, sorted (the reply's `files` dictionary keys must be in raw byte order, BEP 3).
    public var infoHashes: [InfoHash]

    public init(infoHashes: [InfoHash]) {
        self.infoHashes = Array(Set(infoHashes)).sorted()
    }
}

public enum HTTPScrapeParseResult: Hashable, Sendable {
    case request(HTTPScrapeRequest)
    case invalid(HTTPInvalidReason)
}

extension HTTPScrapeRequest {
    public static func parse(query: ArraySlice<UInt8>?) -> HTTPScrapeParseResult {
        var hashes: [InfoHash] = []
        var invalid: HTTPInvalidReason?
        HTTPQuery.forEachPair(query ?? []) { key, value in
            guard HTTPQuery.key(key, is: "info_hash") else { return true }
            guard hashes.count < HTTPLimits.maxScrapeHashes else { return false }
            guard let bytes = HTTPQuery.percentDecoded(value) else {
                invalid = .badPercentEncoding
                return false
            }
            guard bytes.count == 20 else {
                invalid = .scrapeBadInfoHash
                return false
            }
            hashes.append(InfoHash(bytes: bytes))
            return true
        }
        if let invalid { return .invalid(invalid) }
        guard !hashes.isEmpty else { return .invalid(.scrapeWithoutHashes) }
        return .request(HTTPScrapeRequest(infoHashes: hashes))
    }
}
