import TrackerProtocol

/// What `/stats` reads about torrents and live peers beyond scrape counts: opentracker's `s24s`
/// (peers per IPv4 network), `renew` (peer ages) and `statedump` (each torrent's activity time).
/// Each walk holds one shard lock at a time, like the full scrape.
extension TorrentStore {
    /// Calls `body` for every peer of one shard with its IPv4 address (nil for IPv6) and the
    /// whole minutes since its last announce.
    public func forEachPeer(shard: Int, now: UInt32, _ body: (_ ipv4: IPv4Address?, _ ageMinutes: UInt16) -> Void) {
        shards[shard].torrents.withLock { torrents in
            torrents.table.forEach { _, torrent in
                let copy = torrents.detached(torrent)
                copy.forEachPeer4 { peer in body(IPv4Address(rawValue: peer.address), PeerMeta.age(of: peer.minuteStamp, now: now)) }
                copy.list6.forEachPeer { peer in body(nil, PeerMeta.age(of: peer.minuteStamp, now: now)) }
            }
        }
    }

    /// `forEachTorrent` with the torrent's last activity (Unix seconds), for opentracker's statedump.
    public func forEachTorrent(shard: Int, _ body: (InfoHash, ScrapeCounts, _ lastActivity: UInt32) -> Void) {
        shards[shard].torrents.withLock { torrents in
            torrents.table.forEach { hash, torrent in
                body(hash, torrent.scrapeCounts(torrents.lists), torrent.lastActivity)
            }
        }
    }

    /// opentracker's `add_torrent_from_saved_state`: a torrent with no peers, its `downloaded`
    /// count and last activity. A torrent already present is left alone. Returns whether it was added.
    /// It counts in the totals like any other, so the torrent and memory limits see it.
    @discardableResult
    public func importTorrent(_ hash: InfoHash, downloaded: UInt32, lastActivity: UInt32) -> Bool {
        let totals = self.totals
        return withLockedShard(for: hash) { torrents in
            if torrents.table[hash] != nil { return false }
            torrents.insert(hash, DetachedTorrent(downloaded: downloaded, lastActivity: lastActivity))
            totals.add(torrents: 1)
            return true
        }
    }
}
