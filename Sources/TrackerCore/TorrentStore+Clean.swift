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
            var doomed: [InfoHash] = []
            for index in torrents.map.indices {
                if let allowed, !allowed(torrents.map.keys[index]) {
                    report.peersRemoved += torrents.map.values[index].peerCount(torrents.lists)
                    doomed.append(torrents.map.keys[index])
                    continue
                }
                report.peersRemoved += torrents.map.values[index].expire(
                    now: now, timeoutMinutes: timeoutMinutes, seed: seed, lists: &torrents.lists)
                let torrent = torrents.map.values[index]
                guard torrent.peerCount(torrents.lists) == 0 else { continue }
                let idle = now >= torrent.lastActivity ? now - torrent.lastActivity : 0
                if torrent.downloaded == 0 || idle > retention {
                    doomed.append(torrents.map.keys[index])
                }
            }
            for hash in doomed { torrents.removeValue(forKey: hash) }
            report.torrentsRemoved = doomed.count
            return report
        }
    }

    /// Cleans every shard in turn (tests and shutdown; the server's cleaner paces shards itself).
    public func cleanAll(now: UInt32) -> CleanReport {
        (0..<shardCount).reduce(CleanReport()) { $0 + clean(shard: $1, now: now) }
    }
}
