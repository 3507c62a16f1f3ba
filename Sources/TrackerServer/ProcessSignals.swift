import Glibc

/// The daemon's signals, taken synchronously on the main thread with `sigtimedwait`.
///
/// They are blocked before any worker thread exists, so every thread inherits the mask and no
/// thread can be killed by a default action (opentracker dies on SIGHUP with UDP workers because
/// its workers start before the mask is set).
public enum ProcessSignals {
    public enum Received: Sendable { case terminate(Int32), reload }

    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Call first thing in `main`, before any thread is started.
    public static func blockForMainThread() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handled { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
        // A write to a closed TCP peer must be an error return, never a process kill.
        signal(SIGPIPE, SIG_IGN)
    }

    /// Waits up to `milliseconds` for one of the handled signals.
    public static func wait(milliseconds: Int) -> Received? {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handled { sigaddset(&set, signal) }
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        let received = sigtimedwait(&set, nil, &timeout)
        switch received {
        case SIGHUP: return .reload
        case SIGINT, SIGTERM: return .terminate(received)
        default: return nil  // timeout (EAGAIN) or EINTR: the caller loops
        }
    }
}
