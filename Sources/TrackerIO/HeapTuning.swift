import CLiburingShim

/// Process-wide malloc settings for the daemon.
public enum HeapTuning {
    /// Blocks of at least this many bytes get their own mmap, and go back to the kernel when
    /// freed. The store's per-shard tables (≈ 48 KiB at 1M torrents over 1,024 shards) grow by an
    /// eighth at a time; on the brk heap each outgrown table left a hole the next, larger one
    /// could not reuse (≈ 13 MiB at 1M torrents, bench/results/2026-11-25-1250-torrent-table.md).
    /// Page rounding costs at most 4 KiB per such block (≈ 2 MiB over 1,024 tables).
    public static let mmapThreshold = 32 * 1024

    /// Applies `mmapThreshold` (this also turns off glibc's dynamic threshold, which would raise
    /// it again after the first large free). Returns false if glibc refused.
    @discardableResult
    public static func releaseLargeBlocksToKernel() -> Bool {
        CLiburingShim_set_mmap_threshold(Int32(mmapThreshold)) == 1
    }

    /// Blocks glibc currently holds in their own mmap (mallinfo2's `hblks`).
    public static var mappedBlockCount: Int { CLiburingShim_mmapped_block_count() }
}
