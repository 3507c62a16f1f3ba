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

    /// Free bytes glibc holds in its arenas (mallinfo2's `fordblks`), resident or not.
    public static var freeHeapBytes: Int { CLiburingShim_heap_free_bytes() }

    /// Returns every whole free page of every arena to the kernel (`malloc_trim(0)`). True if
    /// any memory was released.
    @discardableResult
    public static func returnFreePages() -> Bool { CLiburingShim_malloc_trim() == 1 }
}

/// When the cleaner gives freed heap pages back. Tables below `HeapTuning.mmapThreshold` live on
/// the heap while they grow; once they move to their own mmaps, the heap keeps the holes between
/// the small blocks that stay (each shard's rank bytes): ≈ 10 MiB of free but resident pages at
/// 1M torrents, which glibc returns only on `malloc_trim` (bench/results/2026-12-06-memory.md).
///
/// The cleaner asks four times a second. It trims when the arenas' free bytes moved by
/// `changeBytes` since the last trim (memory was freed or reused, so whole pages may have come
/// free; the count moves either way because reuse of trimmed pages can hide new frees of resident
/// ones), and once more when they have settled: unchanged since the previous look but not where
/// the last trim left them, so what the last burst of frees left is returned within ~0.5 s. Free
/// bytes that stay level (no allocation, as on the UDP path) never trim.
public struct HeapTrimPolicy: Sendable {
    /// 256 KiB: above the free bytes a loop turn's churn moves, small against what table growth frees.
    public static let changeBytes = 256 << 10
    /// Less free memory than this is not worth a walk of the arenas.
    public static let minimumFreeBytes = 1 << 20

    private var lastTrim: Int
    private var lastSeen: Int

    public init(freeBytes: Int) {
        lastTrim = freeBytes
        lastSeen = freeBytes
    }

    /// Whether to trim now, given the arenas' free bytes.
    public mutating func shouldTrim(freeBytes: Int) -> Bool {
        defer { lastSeen = freeBytes }
        guard freeBytes >= Self.minimumFreeBytes, freeBytes != lastTrim else { return false }
        let settled = freeBytes == lastSeen
        guard settled || abs(freeBytes - lastTrim) >= Self.changeBytes else { return false }
        lastTrim = freeBytes
        return true
    }
}
