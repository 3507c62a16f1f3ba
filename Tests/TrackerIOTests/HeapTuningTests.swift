import Testing
import TrackerIO

@Suite("Heap tuning")
struct HeapTuningTests {
    @Test("glibc accepts the mmap threshold the daemon sets, and large blocks still allocate")
    func mmapThresholdAccepted() {
        #expect(HeapTuning.releaseLargeBlocksToKernel())
        // A table-sized array above the threshold (now its own mapping) allocates, fills and frees.
        var table = [UInt8](repeating: 7, count: 4 * HeapTuning.mmapThreshold)
        table[table.count - 1] = 9
        #expect(table.reduce(0) { $0 + Int($1) } == 7 * (table.count - 1) + 9)
    }
}
