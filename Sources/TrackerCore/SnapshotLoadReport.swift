/// What loading a snapshot restored and what it discarded as too old.
public struct SnapshotLoadReport: Sendable, Equatable {
    /// Unix seconds the snapshot was taken at.
    public var created: UInt64
    public var torrents: Int
    public var peers4: Int
    public var peers6: Int
    /// Peers older than the peer timeout at load time.
    public var peersExpired: Int
    /// Torrents left with no peers and no downloads (or downloads past their retention).
    public var torrentsDropped: Int

    public init(created: UInt64 = 0, torrents: Int = 0, peers4: Int = 0, peers6: Int = 0,
                peersExpired: Int = 0, torrentsDropped: Int = 0) {
        self.created = created
        self.torrents = torrents
        self.peers4 = peers4
        self.peers6 = peers6
        self.peersExpired = peersExpired
        self.torrentsDropped = torrentsDropped
    }

    public var peers: Int { peers4 + peers6 }
}
