import Glibc
import TrackerIO

/// Sleeps that end early when the service is stopping, so shutdown stays under a second.
enum Pause {
    /// Longest single nap: bounds how late a stop request is noticed.
    static let sliceNanoseconds: UInt64 = 50_000_000

    static func sleep(nanoseconds: UInt64, unless stop: StopSignal) {
        var remaining = nanoseconds
        while remaining > 0, !stop.isRequested {
            let slice = min(remaining, sliceNanoseconds)
            var request = timespec(tv_sec: Int(slice / 1_000_000_000), tv_nsec: Int(slice % 1_000_000_000))
            _ = nanosleep(&request, nil)
            remaining -= slice
        }
    }
}
