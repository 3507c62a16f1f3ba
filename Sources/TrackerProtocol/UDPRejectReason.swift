// Why a request with a readable header (≥ 16 B) cannot be served. The server answers with a BEP 15
// error packet carrying `message`, once the connection ID validates.
public enum UDPRejectReason: Int, CaseIterable, Hashable, Sendable {
    /// Announce shorter than the 98 bytes BEP 15 requires.
    case announceTooShort
    /// Scrape with no full 20-byte info_hash. We reject rather than send opentracker's header-only
    /// 8 B reply: a reply with no entries tells the client nothing, an error tells it why.
    case scrapeWithoutHashes
    /// Action other than connect (0), announce (1) or scrape (2), including error (3).
    case unknownAction
    /// Announce for a torrent the operator's whitelist does not list. A proper error, where
    /// opentracker sends a truncated 8-byte reply that clients retry forever.
    case torrentNotOnWhitelist
    /// Announce for a torrent on the operator's blacklist.
    case torrentBlacklisted
    /// A new torrent or peer while the tracker is at its torrent or memory limit.
    case trackerFull
    /// The client's network created its quota of new torrents this minute.
    case tooManyNewTorrents

    /// Short (≤ 24 B, ASCII) so an error reply stays far below the request that caused it.
    public var message: StaticString {
        switch self {
        case .announceTooShort: "announce too short"
        case .scrapeWithoutHashes: "scrape without hashes"
        case .unknownAction: "unknown action"
        case .torrentNotOnWhitelist: "torrent not on whitelist"
        case .torrentBlacklisted: "torrent is blacklisted"
        case .trackerFull: "tracker is full"
        case .tooManyNewTorrents: "too many new torrents"
        }
    }
}
