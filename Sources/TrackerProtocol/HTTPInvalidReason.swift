// Why an HTTP request got no tracker answer. Two kinds, as clients expect (opentracker's ot_http.c: `http_handle_announce`, `http_issue_error`):
// a `failure reason` is a bencoded HTTP 200 the client shows its user; an invalid request is a 400.

/// Answered with HTTP 400 and counted by reason.
public enum HTTPInvalidReason: Int, CaseIterable, Hashable, Sendable {
    case badPercentEncoding
    case duplicateInfoHash
    case badPeerID
    case badPort
    case badLeft
    case badNumWant
    case badCompact
    case scrapeWithoutHashes
    case scrapeBadInfoHash
    case unknownStatsMode
    case unknownFormat
    case infoHashOnStats
    /// HTTP/1.1 without a Host header (RFC 9112 §3.2: a server must answer 400).
    case missingHost

    public var label: String {
        switch self {
        case .badPercentEncoding: "bad_percent_encoding"
        case .duplicateInfoHash: "duplicate_info_hash"
        case .badPeerID: "bad_peer_id"
        case .badPort: "bad_port"
        case .badLeft: "bad_left"
        case .badNumWant: "bad_numwant"
        case .badCompact: "bad_compact"
        case .scrapeWithoutHashes: "scrape_without_hashes"
        case .scrapeBadInfoHash: "scrape_bad_info_hash"
        case .unknownStatsMode: "unknown_stats_mode"
        case .unknownFormat: "unknown_format"
        case .infoHashOnStats: "info_hash_on_stats"
        case .missingHost: "missing_host"
        }
    }
}
