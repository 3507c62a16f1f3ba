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

    /// Returns every whole free page of every arena to the kernel (`malloc_trim(0)`). glibc keeps
    /// no record of earlier trims: it madvises every free run of pages again, each arena locked
    /// meanwhile. True if it released (or re-released) anything.
    @discardableResult
    public static func returnFreePages() -> Bool { CLiburingShim_malloc_trim() == 1 }
}

/// When the cleaner gives freed heap pages back. Tables below `HeapTuning.mmapThreshold` live on
/// the heap while they grow; once they move to their own mmaps, the heap keeps the holes between
/// the small blocks that stay (each shard's rank bytes): ≈ 10 MiB of free but resident pages at
/// 1M torrents, which glibc returns only on `malloc_trim` (bench/results/2026-12-06-memory.md).
///
/// The cleaner asks every 250 ms (or after each shard, if its per-shard pause is shorter). It
/// trims when the arenas' free bytes moved by `changeBytes` since the last trim (memory was freed
/// or reused, so whole pages may have come free; the count moves either way because reuse of
/// trimmed pages can hide new frees of resident ones), or when they have settled: unchanged since
/// the previous look but not where the last trim left them, so what the last burst of frees left
/// is returned within about a second. Free bytes that stay level never trim.
///
/// A trim re-walks and re-madvises every free run, returned or not, with each arena locked; under
/// steady peer churn the count keeps moving and settling, and trims returned little. So the
/// interval between trims starts at one second and doubles, up to a minute, after every trim that
/// gave back less than `usefulBytes` of RSS; a useful one resets it.
public struct HeapTrimPolicy: Sendable {
    /// 256 KiB: small against what table growth frees (≈ 10 MiB at 1M torrents).
    public static let changeBytes = 256 << 10
    /// Less free memory than this is not worth a walk of the arenas.
    public static let minimumFreeBytes = 1 << 20
    /// A trim that returned less RSS than this backs the next one off.
    public static let usefulBytes = 1 << 20
    /// The interval between trims: from one second, doubling after a useless trim, to a minute.
    public static let intervalBounds: ClosedRange<UInt64> = 1_000...64_000

    private var lastTrim: Int
    private var lastSeen: Int
    private var lastTrimAt: UInt64?
    /// The current minimum time between trims.
    public private(set) var intervalMilliseconds = Self.intervalBounds.lowerBound

    public init(freeBytes: Int) {
        lastTrim = freeBytes
        lastSeen = freeBytes
    }

    /// Whether to trim now, given the arenas' free bytes and a monotonic clock in milliseconds.
    public mutating func shouldTrim(freeBytes: Int, atMilliseconds now: UInt64) -> Bool {
        defer { lastSeen = freeBytes }
        guard freeBytes >= Self.minimumFreeBytes, freeBytes != lastTrim else { return false }
        if let last = lastTrimAt, now &- last < intervalMilliseconds { return false }
        return freeBytes == lastSeen || abs(freeBytes - lastTrim) >= Self.changeBytes
    }

    /// Records a trim: the free bytes read after it (the trim itself lowers the count, as the main
    /// arena's top shrinks, and that must not look like new frees) and the RSS it gave back.
    public mutating func didTrim(freeBytes: Int, releasedBytes: Int, atMilliseconds now: UInt64) {
        lastTrim = freeBytes
        lastSeen = freeBytes
        lastTrimAt = now
        intervalMilliseconds = releasedBytes >= Self.usefulBytes
            ? Self.intervalBounds.lowerBound
            : min(intervalMilliseconds * 2, Self.intervalBounds.upperBound)
    }
}

/// The cleaner's side of `HeapTrimPolicy`: reads glibc's counters and the RSS, trims, records.
public struct HeapTrimmer: Sendable {
    /// How often the cleaner looks (between and during its per-shard pauses).
    public static let checkNanoseconds: UInt64 = 250_000_000

    private var policy: HeapTrimPolicy

    public init() {
        policy = HeapTrimPolicy(freeBytes: HeapTuning.freeHeapBytes)
    }

    public mutating func check() {
        let now = MonotonicClock.nanoseconds() / 1_000_000
        guard policy.shouldTrim(freeBytes: HeapTuning.freeHeapBytes, atMilliseconds: now) else { return }
        let before = ProcessStatus.residentBytes() ?? 0
        HeapTuning.returnFreePages()
        let after = ProcessStatus.residentBytes() ?? before
        let released = before > after ? Int(before - after) : 0
        policy.didTrim(freeBytes: HeapTuning.freeHeapBytes, releasedBytes: released, atMilliseconds: now)
    }
}
