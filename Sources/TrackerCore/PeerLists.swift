/// Both families' out-of-line peer lists of one shard.
struct PeerLists: Sendable {
    var v4 = PeerSlab<Peer4>()
    var v6 = PeerSlab<Peer6>()
}
