#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

@Suite("Heap tuning")
struct HeapTuningTests {
    @Test("glibc accepts the mmap threshold the daemon sets, and blocks above it get their own mapping")
    func mmapThresholdAccepted() {
        #expect(HeapTuning.releaseLargeBlocksToKernel())
        // 2 × 32 KiB is below glibc's default 128 KiB threshold: on the brk heap unless the setting
        // took. Eight such blocks must add eight mappings (mallinfo2's hblks, `mappedBlockCount`); other tests in this
        // process may free a mapping meanwhile, so up to three bounded attempts.
        let blockSize = 2 * HeapTuning.mmapThreshold
        let mapped = (0..<3).contains { _ in
            let before = HeapTuning.mappedBlockCount
            let blocks = (0..<8).map { _ in malloc(blockSize) }
            let added = HeapTuning.mappedBlockCount - before
            for block in blocks { free(block) }
            return added >= 8
        }
        #expect(mapped, "blocks of \(blockSize) bytes were not mmapped")
    }
}
