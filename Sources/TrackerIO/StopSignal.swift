#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// A one-way flag a controller sets and workers poll once per loop turn.
public final class StopSignal: Sendable {
    private let flag = Atomic<Bool>(false)

    /// Longest single nap in `sleep`: bounds how late a stop request is noticed.
    static let sliceNanoseconds: UInt64 = 50_000_000

    public init() {}

    public func request() {
        flag.store(true, ordering: .releasing)
    }

    public var isRequested: Bool {
        flag.load(ordering: .acquiring)
    }

    /// Sleeps `nanoseconds`, ending early once a stop is requested, so shutdown stays under a
    /// second. Bounded: at most nanoseconds / 50 ms naps.
    public func sleep(nanoseconds: UInt64) {
        var remaining = nanoseconds
        while remaining > 0, !isRequested {
            let slice = min(remaining, Self.sliceNanoseconds)
            var request = timespec(tv_sec: Int(slice / 1_000_000_000), tv_nsec: Int(slice % 1_000_000_000))
            _ = nanosleep(&request, nil)
            remaining -= slice
        }
    }
}
