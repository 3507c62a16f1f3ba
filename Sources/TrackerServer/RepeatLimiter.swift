import Synchronization

/// Lets a repeated warning through once, then at most once per `interval`, saying how many were
/// held back: a reload loop or a full disk must not flood the log.
final class RepeatLimiter: Sendable {
    private let interval: UInt32
    private let state = Mutex<(lastLogged: UInt32?, suppressed: Int)>((nil, 0))

    init(interval: UInt32 = 600) { self.interval = interval }

    /// Nil: stay quiet. Otherwise log now; the value is how many were held back since the last one.
    func admit(now: UInt32) -> Int? {
        state.withLock { state in
            if let last = state.lastLogged, now &- last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
    }

    /// The condition cleared: the next occurrence is logged at once.
    func reset() { state.withLock { $0 = (nil, 0) } }
}
