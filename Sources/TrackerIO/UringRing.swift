#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// Creation of `struct io_uring` with the best flags the kernel accepts.
enum UringRing {
    /// Flag sets tried in order. SINGLE_ISSUER|DEFER_TASKRUN runs completion work only inside our
    /// own io_uring_enter (kernel ≥ 6.1; DEFER_TASKRUN alone is EINVAL). COOP_TASKRUN|TASKRUN_FLAG
    /// (≥ 5.19) avoids IPIs. Plain flags work everywhere io_uring does.
    static let flagAttempts: [UInt32] = [
        UInt32(IORING_SETUP_SINGLE_ISSUER) | UInt32(IORING_SETUP_DEFER_TASKRUN),
        UInt32(IORING_SETUP_COOP_TASKRUN) | UInt32(IORING_SETUP_TASKRUN_FLAG),
        0,
    ]

    /// Allocates and initialises a ring; the caller owns the pointer and must call `destroy`.
    /// Returns the setup flags that were accepted.
    static func create(
        submissionEntries: UInt32,
        completionEntries: UInt32
    ) throws(SystemError) -> (ring: UnsafeMutablePointer<io_uring>, flags: UInt32) {
        // SAFETY: one io_uring, initialised before liburing sees it; the owner (UringEngine, the
        // probe) calls `destroy` exactly once, which exits the queue and then frees this memory.
        let ring = UnsafeMutablePointer<io_uring>.allocate(capacity: 1)
        ring.initialize(to: io_uring())
        var result: Int32 = -EINVAL
        for extra in flagAttempts {
            var parameters = io_uring_params()
            parameters.flags = extra | UInt32(IORING_SETUP_CQSIZE)
            parameters.cq_entries = completionEntries
            result = io_uring_queue_init_params(submissionEntries, ring, &parameters)
            if result == 0 { return (ring, parameters.flags) }
            if result != -EINVAL { break }
        }
        ring.deallocate()
        throw SystemError(errno: -result, call: "io_uring_setup")
    }

    static func destroy(_ ring: UnsafeMutablePointer<io_uring>) {
        io_uring_queue_exit(ring)
        ring.deallocate()
    }

    static func nextPowerOfTwo(_ value: Int, within range: ClosedRange<Int>) -> Int {
        var result = range.lowerBound
        while result < value && result < range.upperBound { result <<= 1 }
        return min(result, range.upperBound)
    }
}
