/// Why the store refused an announce (a limit, not the access list). Counted per reason.
public enum AnnounceRefusal: Int, CaseIterable, Sendable {
    /// `StoreLimits.maxTorrents` reached: no new torrent.
    case torrentLimit
    /// The client network created `StoreLimits.newTorrentsPerMinute` torrents this minute.
    case newTorrentRate
    /// The store's estimated size is above `StoreLimits.maxMemoryBytes`: no new torrent or peer.
    case memoryLimit

    /// Metric label.
    public var label: String {
        switch self {
        case .torrentLimit: "torrent_limit"
        case .newTorrentRate: "new_torrent_rate"
        case .memoryLimit: "memory_limit"
        }
    }
}
