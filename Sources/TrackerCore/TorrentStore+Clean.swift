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
        let totals = self.totals
        return shards[shard].torrents.withLock { torrents in
            var report = CleanReport()
            var removed4 = 0
            var removed6 = 0
            let removed = torrents.removeAll { hash, torrent, lists in
                let (before4, before6) = (torrent.count4(lists), torrent.count6(lists))
                if let allowed, !allowed(hash) {
                    report.peersRemoved += before4 + before6
                    removed4 += before4
                    removed6 += before6
                    return true
                }
                report.peersRemoved += torrent.expire(now: now, timeoutMinutes: timeoutMinutes, seed: seed, lists: &lists)
                removed4 += before4 - torrent.count4(lists)
                removed6 += before6 - torrent.count6(lists)
                guard torrent.peerCount(lists) == 0 else { return false }
                let idle = now >= torrent.lastActivity ? now - torrent.lastActivity : 0
                return torrent.downloaded == 0 || idle > retention
            }
            totals.add(torrents: -removed, peers4: -removed4, peers6: -removed6)
            report.torrentsRemoved = removed
            return report
        }
    }

    /// Cleans every shard in turn (tests and shutdown; the server's cleaner paces shards itself).
    public func cleanAll(now: UInt32) -> CleanReport {
        (0..<shardCount).reduce(CleanReport()) { $0 + clean(shard: $1, now: now) }
    }
}
