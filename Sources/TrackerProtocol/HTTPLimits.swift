// Limits of the HTTP announce/scrape path, opentracker's values (docs/HTTP.md; opentracker's ot_http.c).
public enum HTTPLimits {
    /// Peers sent when the client names no `numwant` (or a negative one): opentracker's default.
    public static let defaultNumWant = 50
    /// HTTP has no datagram ceiling, so the cap is opentracker's `OT_MAX_PEERS_UDP`-independent 200.
    public static let maxNumWant = 200
    /// A scrape answers at most 64 hashes (opentracker `OT_MAXMULTISCRAPE_COUNT`); extra ones are ignored.
    public static let maxScrapeHashes = 64
    /// Request line plus headers: opentracker's 8 KiB `G_INBUF_SIZE`. Real announces are < 1 KiB.
    public static let maxHeadBytes = 8192
    /// 4 B address + 2 B port (BEP 23).
    public static let compactPeerSizeIPv4 = 6
    /// 16 B address + 2 B port (BEP 7).
    public static let compactPeerSizeIPv6 = 18

    /// Negative → default, then capped (clamp, don't refuse).
    public static func clampNumWant(_ raw: Int64?) -> Int {
        guard let raw, raw >= 0 else { return defaultNumWant }
        return Int(min(raw, Int64(maxNumWant)))
    }
}
