import TrackerCore

/// Values targets and their seeds (FuzzSeeds) share.
public enum FuzzFixtures {
    /// A small store without limits: four shards, and no per-network new-torrent budget (a 512 KiB
    /// table whose set-up would cost more than most inputs).
    public static let storeConfiguration = TrackerConfiguration(shardCount: 4, limits: .unlimited)

    /// FuzzLivesync's cluster key: seeds signed with it are authentic to the target's receiver.
    public static let clusterKey: [UInt8] = Array("fuzz cluster key, 32 bytes long.".utf8)
    /// FuzzLivesync's wall clock (Unix seconds): a seed signed at this time is fresh.
    public static let clusterNow: UInt32 = 1_800_000_000
}
