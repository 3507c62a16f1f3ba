import Synchronization
import TrackerProtocol

/// One lock and the torrents whose info_hash maps to it. A class so the store's array of shards
/// never copies a `Mutex` (which is `~Copyable`).
final class TorrentShard: Sendable {
    let torrents: Mutex<ShardTorrents>

    init(tableKey: TorrentTable.Key) {
        torrents = Mutex(ShardTorrents(tableKey: tableKey))
    }
}
