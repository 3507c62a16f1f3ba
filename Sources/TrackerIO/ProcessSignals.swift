#if canImport(Glibc)
import Glibc
#endif

/// The daemon's signals, taken synchronously on the main thread with `sigtimedwait`.
///
/// They are blocked before any worker thread exists, so every thread inherits the mask and no
/// thread can be killed by a default action (opentracker dies on SIGHUP with UDP workers because
/// its workers start before the mask is set).
public enum ProcessSignals {
    public enum Received: Sendable { case terminate(Int32), reload }

    static let handled: [Int32] = [SIGINT, SIGTERM, SIGHUP]

    /// Call first thing in `main`, before any thread is started.
    public static func blockForMainThread() throws(SystemError) {
        var set = handledSet()
        // pthread_sigmask returns the error number instead of setting errno.
        let blocked = pthread_sigmask(SIG_BLOCK, &set, nil)
        guard blocked == 0 else { throw SystemError(errno: blocked, call: "pthread_sigmask") }
        // A write to a closed TCP peer must be an error return, never a process kill.
        var ignore = sigaction()
        ignore.__sigaction_handler.sa_handler = SIG_IGN
        sigemptyset(&ignore.sa_mask)
        _ = try systemCallValue("sigaction(SIGPIPE)") { sigaction(SIGPIPE, &ignore, nil) }
    }

    /// Waits up to `milliseconds` for one of the handled signals; nil on timeout.
    public static func wait(milliseconds: Int) -> Received? {
        var set = handledSet()
        var timeout = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
        // EINTR is retried by systemCall; EAGAIN (the timeout) and any other failure are "nothing".
        guard case .processed(let received)? = try? systemCall("sigtimedwait", { sigtimedwait(&set, nil, &timeout) })
        else { return nil }
        switch received {
        case SIGHUP: return .reload
        case SIGINT, SIGTERM: return .terminate(received)
        default: return nil
        }
    }

    private static func handledSet() -> sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handled { sigaddset(&set, signal) }
        return set
    }
}
