import TrackerProtocol

/// One swarm: a single `downloaded` counter and one peer set per family, under one shard lock.
struct Torrent: Sendable {
    var downloaded: UInt32 = 0
    /// Unix seconds of the last announce; a torrent kept for its `downloaded` count expires from here.
    var lastActivity: UInt32
    var peers4: PeerSet<Peer4> = .empty
    var peers6: PeerSet<Peer6> = .empty

    init(lastActivity: UInt32) {
        self.lastActivity = lastActivity
    }

    var seeders: Int { peers4.seederCount + peers6.seederCount }
    var leechers: Int { peers4.leecherCount + peers6.leecherCount }
    var peerCount: Int { peers4.count + peers6.count }

    var scrapeCounts: ScrapeCounts {
        ScrapeCounts(seeders: UInt32(clamping: seeders), leechers: UInt32(clamping: leechers), downloaded: downloaded)
    }

    func outcome(peerCount: Int, examined: Int) -> AnnounceOutcome {
        AnnounceOutcome(seeders: UInt32(clamping: seeders), leechers: UInt32(clamping: leechers),
                        downloaded: downloaded, peerCount: peerCount, examined: examined)
    }

    /// Applies a non-`stopped` announce for `peer` and writes a sample of its family.
    mutating func announce<P: CompactPeer>(
        _ peer: P, in set: WritableKeyPath<Torrent, PeerSet<P>>, numWant: Int, now: UInt32, hashSeed: UInt64,
        rng: inout some RandomNumberGenerator, into span: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        lastActivity = now
        if self[keyPath: set].upsert(peer, hashSeed: hashSeed) {
            downloaded &+= 1
        }
        let sampled = self[keyPath: set].sample(for: peer, limit: numWant, rng: &rng, into: &span, at: offset)
        return outcome(peerCount: sampled.written, examined: sampled.examined)
    }

    /// Applies `stopped`: removes the endpoint from its family and reports counts afterwards.
    mutating func stop(_ endpoint: PeerEndpoint, now: UInt32) -> AnnounceOutcome {
        switch endpoint.address {
        case .v4(let address): _ = peers4.remove(Peer4(address, port: endpoint.port))
        case .v6(let address): _ = peers6.remove(Peer6(address, port: endpoint.port))
        }
        lastActivity = now
        return outcome(peerCount: 0, examined: 0)
    }
}
