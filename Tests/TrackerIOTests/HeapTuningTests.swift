#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

@Suite("Heap tuning")
struct HeapTuningTests {
    @Test("glibc accepts the mmap threshold the daemon sets, and the heap then maps large blocks instead of growing")
    func mmapThresholdAccepted() async {
        // In a fresh process (an exit test), so other tests' free chunks cannot serve the blocks.
        await #expect(processExitsWith: .success) {
            // 96 KiB: above the daemon's 32 KiB threshold, below glibc's default 128 KiB. glibc maps
            // a block only when free space cannot hold it, so of eight the first may come from the
            // heap's top; the rest need new memory: brk by default, a mapping each with the setting.
            let blockSize = 3 * HeapTuning.mmapThreshold
            func mappedOfEight() -> Int {
                let before = HeapTuning.mappedBlockCount
                let blocks = (0..<8).map { _ in malloc(blockSize) }
                let added = HeapTuning.mappedBlockCount - before
                for block in blocks { free(block) }
                return added
            }
            guard mappedOfEight() == 0 else { exit(1) }
            guard HeapTuning.releaseLargeBlocksToKernel() else { exit(2) }
            exit(mappedOfEight() >= 6 ? 0 : 3)
        }
    }

    @Test("Trimming gives the kernel back the free pages between blocks that stay, which glibc otherwise keeps")
    func trimReturnsFreePages() async {
        await #expect(processExitsWith: .success) {
            // 8,192 touched 4 KiB blocks (32 MiB of heap), then 7 of each 8 freed: the survivors
            // pin the heap, so glibc keeps ~28 MiB of free pages resident until a trim.
            let count = 8_192
            let blocks = (0..<count).map { _ -> UnsafeMutableRawPointer? in
                let block = malloc(4_096)
                if let block { memset(block, 1, 4_096) }
                return block
            }
            for index in blocks.indices where index % 8 != 0 { free(blocks[index]) }
            guard let before = ProcessStatus.read().residentBytes, HeapTuning.freeHeapBytes >= 24 << 20 else { exit(1) }
            guard HeapTuning.returnFreePages(), let after = ProcessStatus.read().residentBytes else { exit(2) }
            for index in blocks.indices where index % 8 == 0 { free(blocks[index]) }
            exit(Int(before) - Int(after) >= 16 << 20 ? 0 : 3)
        }
    }

    @Test("The trim policy trims when free heap moved by 256 KiB or settled, at most once a second, never while level")
    func trimPolicy() {
        var policy = HeapTrimPolicy(freeBytes: 10_000 << 10)
        var clock: UInt64 = 0
        func trims(kib: Int, after milliseconds: UInt64 = 250) -> Bool {
            clock += milliseconds
            guard policy.shouldTrim(freeBytes: kib << 10, atMilliseconds: clock) else { return false }
            // What a useful trim does: the main arena's top shrinks, 2 MiB of RSS comes back.
            policy.didTrim(freeBytes: (kib - 100) << 10, releasedBytes: 2 << 20, atMilliseconds: clock)
            return true
        }
        #expect(!trims(kib: 10_200), "200 KiB more and still moving: not yet")
        #expect(trims(kib: 10_456), "256 KiB more than at the last trim")
        #expect(!trims(kib: 10_356, after: 2_000), "the trim's own drop is not new frees: no second trim")
        for _ in 0..<100 { #expect(!trims(kib: 10_356), "level: nothing to return") }
        #expect(!trims(kib: 10_400), "moving, under 256 KiB")
        #expect(trims(kib: 10_400), "settled away from the last trim: trim once")
        #expect(!trims(kib: 20_000), "10 MiB more, but a trim ran 250 ms ago")
        #expect(!trims(kib: 30_000), "still within the second")
        #expect(!trims(kib: 40_000))
        #expect(trims(kib: 40_000), "a second after the last trim")
        #expect(!trims(kib: 500, after: 2_000), "under 1 MiB free is not worth a walk")
        #expect(!trims(kib: 500))
    }

    @Test("Trims that give back little RSS back off, doubling to a minute; a useful one resets the interval")
    func trimBackOff() {
        var policy = HeapTrimPolicy(freeBytes: 10 << 20)
        var clock: UInt64 = 0
        var free = 10 << 20
        var intervals: [UInt64] = []
        // Steady churn: the count moves by 512 KiB every check, each trim returns 100 KiB.
        for _ in 0..<2_000 {
            clock += 250
            free += (clock / 250) % 2 == 0 ? 512 << 10 : -(512 << 10)
            if policy.shouldTrim(freeBytes: free, atMilliseconds: clock) {
                policy.didTrim(freeBytes: free, releasedBytes: 100 << 10, atMilliseconds: clock)
                intervals.append(policy.intervalMilliseconds)
            }
        }
        #expect(intervals.prefix(7) == [2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 64_000])
        #expect(intervals.count < 15, "500 s of churn: \(intervals.count) trims")
        clock += 64_000
        free += 8 << 20
        let trimsAfterGrowth = policy.shouldTrim(freeBytes: free, atMilliseconds: clock)
        #expect(trimsAfterGrowth, "8 MiB freed")
        policy.didTrim(freeBytes: free, releasedBytes: 8 << 20, atMilliseconds: clock)
        #expect(policy.intervalMilliseconds == 1_000, "a useful trim: back to one second")
    }
}
