// Sizes and caps of the BEP 15 wire format, each derived where it is declared.
public enum UDPLimits {
    /// BEP 15 connect magic, the only protocol_id a BEP 15 client sends.
    public static let protocolID: UInt64 = 0x417_2710_1980

    /// connection_id or protocol_id u64 (8) + action u32 (4) + transaction_id u32 (4) = 16 B: the
    /// header every request shares, and the whole connect request.
    public static let minimumRequestSize = 16

    /// 16 B header + info_hash 20 + peer_id 20 + downloaded 8 + left 8 + uploaded 8 + event 4 +
    /// IP 4 + key 4 + num_want 4 + port 2 = 98 B (BEP 15). BEP 41 options may follow.
    public static let announceRequestSize = 98

    /// BEP 3 info_hash: a SHA-1 digest.
    public static let infoHashSize = 20

    /// action 4 + transaction_id 4 + connection_id 8 = 16 B.
    public static let connectResponseSize = 16

    /// action 4 + transaction_id 4 + interval 4 + leechers 4 + seeders 4 = 20 B; peers follow.
    public static let announceResponseHeaderSize = 20

    /// action 4 + transaction_id 4 = 8 B; the header of scrape and error replies.
    public static let scrapeResponseHeaderSize = 8

    /// seeders 4 + completed 4 + leechers 4 = 12 B per scraped hash (BEP 15 order).
    public static let scrapeEntrySize = 12

    /// action 4 + transaction_id 4 = 8 B before the message text.
    public static let errorHeaderSize = 8

    /// IPv4 address 4 + port 2 (BEP 15 compact peer).
    public static let peerSizeIPv4 = 6

    /// IPv6 address 16 + port 2 (BEP 15, "IPv6" section).
    public static let peerSizeIPv6 = 18

    /// What a client gets when it sends num_want = -1 ("default"): opentracker's default, and enough
    /// for a client to start without a second announce.
    public static let defaultNumWant = 50

    /// 20 B header + 200 × 6 B = 1,220 B: opentracker's cap, one datagram under a 1,500 B Ethernet
    /// MTU with 28 B of IPv4 + UDP headers.
    public static let maxPeersIPv4 = 200

    /// 20 B header + 66 × 18 B = 1,208 B: one datagram under a 1,280 B IPv6 minimum MTU with 48 B of
    /// IPv6 + UDP headers (RFC 8200 §5), so it is never fragmented.
    public static let maxPeersIPv6 = 66

    /// BEP 15: "up to about 74 torrents can be scraped at once": 16 B + 74 × 20 B = 1,496 B request,
    /// 8 B + 74 × 12 B = 896 B reply. Matches opentracker's `scrape_count <= 74`.
    public static let maxScrapeHashes = 74

    /// The largest request read and answered, the same on both I/O backends; a longer datagram is
    /// dropped and counted as truncated. 16 + 101 × 20 = 2,036 B of scrape fits (a client batching up
    /// to 101 hashes still gets the first `maxScrapeHashes`), and so does a 98 B announce with up to
    /// 1,950 B of BEP 41 options (URLData carries the announce URL's path and query); rounded up to
    /// 2,048 B. Anything longer is fragmented on every real path (MTU 1,500) and no client sends it.
    public static let maxRequestSize = 2048

    /// The largest reply we ever write: announce over IPv4 with `maxPeersIPv4` peers,
    /// 20 + 200 × 6 = 1,220 B. A send slot of this size fits every reply.
    public static let maxResponseSize = 1220

    /// BEP 15 num_want is signed; negative means "default". 0 stays 0 (the client wants counts
    /// only, e.g. on `stopped`). Then capped so the reply fits one datagram for its family.
    public static func clampNumWant(_ raw: Int32, ipv6: Bool) -> Int {
        let cap = ipv6 ? maxPeersIPv6 : maxPeersIPv4
        let wanted = raw < 0 ? defaultNumWant : Int(raw)
        return min(wanted, cap)
    }
}
