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
}
