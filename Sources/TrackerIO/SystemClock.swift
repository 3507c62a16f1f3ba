#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time. The core counts in Unix seconds: connection-ID buckets must agree across
/// cluster nodes and snapshots store wall time (docs/ARCHITECTURE.md, "time").
public enum WallClock {
    /// Unix seconds from CLOCK_REALTIME_COARSE: a vDSO read of the last tick, no syscall; second
    /// resolution is all the core needs.
    public static func seconds() -> UInt32 {
        var spec = timespec()
        _ = clock_gettime(CLOCK_REALTIME_COARSE, &spec)
        return UInt32(truncatingIfNeeded: spec.tv_sec)
    }

    /// Unix time to the millisecond (CLOCK_REALTIME), for log time stamps.
    public static func now() -> (seconds: Int, milliseconds: Int) {
        var spec = timespec()
        _ = clock_gettime(CLOCK_REALTIME, &spec)
        return (Int(spec.tv_sec), Int(spec.tv_nsec / 1_000_000))
    }
}

/// CLOCK_MONOTONIC: deadlines and durations that a wall-clock step must not stretch or cut.
public enum MonotonicClock {
    @inlinable
    public static func nanoseconds() -> UInt64 {
        var spec = timespec()
        _ = clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }

    public static func seconds() -> Double {
        Double(nanoseconds()) / 1e9
    }
}
