// Why an HTTP request got no tracker answer. Two kinds, as clients expect (opentracker's ot_http.c: `http_handle_announce`, `http_issue_error`):
// a `failure reason` is a bencoded HTTP 200 the client shows its user; an invalid request is a 400.

/// Answered with HTTP 200 and `d14:failure reason…e`.
public enum HTTPFailureReason: Int, CaseIterable, Hashable, Sendable {
    case missingInfoHash
    case badInfoHash
    /// The access list (whitelist or blacklist) refuses the torrent.
    case notAuthorized
    /// `port` absent or 0: nobody could connect to such a peer, so it is not stored (a UDP
    /// announce from source port 0 is dropped for the same reason).
    case badPort
    /// A new torrent or peer while the tracker is at its torrent or memory limit.
    case trackerFull
    /// The client's network created its quota of new torrents this minute.
    case tooManyNewTorrents

    /// opentracker's exact text for the missing hash, so client-side matching keeps working.
    public var message: String {
        switch self {
        case .missingInfoHash: "Your client forgot to send your torrent's info_hash. Please upgrade your client."
        case .badInfoHash: "info_hash must be exactly 20 bytes, percent-encoded."
        case .notAuthorized: "Requested download is not authorized for use with this tracker."
        case .badPort: "port must be a number from 1 to 65535."
        case .trackerFull: "The tracker is full; try again later."
        case .tooManyNewTorrents: "Too many new torrents from your network; try again in a minute."
        }
    }
}
