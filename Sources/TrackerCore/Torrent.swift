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

    /// Applies a non-`stopped` announce from an IPv4 peer and writes a sample of IPv4 peers.
    mutating func announce(
        _ peer: Peer4, numWant: Int, now: UInt32, hashSeed: UInt64,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        lastActivity = now
        let result = Self.apply(peer, to: &peers4, numWant: numWant, hashSeed: hashSeed, rng: &rng,
                                into: &span, at: offset)
        if result.completed { downloaded &+= 1 }
        return outcome(peerCount: result.written, examined: result.examined)
    }

    /// Applies a non-`stopped` announce from an IPv6 peer and writes a sample of IPv6 peers.
    mutating func announce(
        _ peer: Peer6, numWant: Int, now: UInt32, hashSeed: UInt64,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> AnnounceOutcome {
        lastActivity = now
        let result = Self.apply(peer, to: &peers6, numWant: numWant, hashSeed: hashSeed, rng: &rng,
                                into: &span, at: offset)
        if result.completed { downloaded &+= 1 }
        return outcome(peerCount: result.written, examined: result.examined)
    }

    private static func apply<P: CompactPeer>(
        _ peer: P, to set: inout PeerSet<P>, numWant: Int, hashSeed: UInt64,
        rng: inout Xoshiro256, into span: inout MutableRawSpan, at offset: Int
    ) -> (completed: Bool, written: Int, examined: Int) {
        let completed = set.upsert(peer, hashSeed: hashSeed)
        let sampled = set.sample(for: peer, limit: numWant, rng: &rng, into: &span, at: offset)
        return (completed, sampled.written, sampled.examined)
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
