import TrackerProtocol

extension TorrentStore {
    /// Expires peers and drops torrents in one shard, under that shard's lock only.
    /// A peer whose stamp is more than `peerTimeout` old goes; an empty torrent goes unless it has
    /// downloads, which keep it until `completedTorrentRetention` after its last activity.
    /// `allowed`, when given, also purges torrents it rejects (an access list that changed):
    /// their peers are dropped with them, at the same one-shard lock.
    public func clean(shard: Int, now: UInt32, allowed: ((InfoHash) -> Bool)? = nil) -> CleanReport {
        let timeoutMinutes = self.timeoutMinutes
        let retention = configuration.completedTorrentRetention
        let seed = hashSeed
        return shards[shard].torrents.withLock { torrents in
            var report = CleanReport()
            let removed = torrents.removeAll { hash, torrent, lists in
                if let allowed, !allowed(hash) {
                    report.peersRemoved += torrent.peerCount(lists)
                    return true
                }
                report.peersRemoved += torrent.expire(now: now, timeoutMinutes: timeoutMinutes, seed: seed, lists: &lists)
                guard torrent.peerCount(lists) == 0 else { return false }
                let idle = now >= torrent.lastActivity ? now - torrent.lastActivity : 0
                return torrent.downloaded == 0 || idle > retention
            }
            report.torrentsRemoved = removed
            return report
        }
    }

    /// Cleans every shard in turn (tests and shutdown; the server's cleaner paces shards itself).
    public func cleanAll(now: UInt32) -> CleanReport {
        (0..<shardCount).reduce(CleanReport()) { $0 + clean(shard: $1, now: now) }
    }
}
