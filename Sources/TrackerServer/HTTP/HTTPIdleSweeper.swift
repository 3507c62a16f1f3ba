/// One event loop's idle-connection timer: a tick counter advanced every `interval` by one
/// repeating task, and the loop's open connections in a slot array. A read or write stores the
/// current tick in its connection (a plain integer store, no clock read, no allocation); a sweep
/// closes every connection whose last tick is more than `ticksPerTimeout` behind, so an idle
/// connection is closed between `idleTimeout` and `idleTimeout + interval` after its last activity.
///
/// Only the loop's thread touches it (handlers and the repeating task run there).
final class HTTPIdleSweeper {
    private(set) var tick = 0
    let ticksPerTimeout: Int
    /// Ticks a request head may take from its first byte to its end (`HTTPConfiguration.headTimeout`).
    let ticksPerHead: Int
    private var slots: [HTTPConnectionGuard?] = []
    private var freeSlots: [Int] = []

    /// `idleTimeout`, `headTimeout` and `interval` in milliseconds.
    init(idleTimeoutMilliseconds: Int64, headTimeoutMilliseconds: Int64, intervalMilliseconds: Int64) {
        let interval = max(intervalMilliseconds, 1)
        ticksPerTimeout = Int((max(idleTimeoutMilliseconds, 1) + interval - 1) / interval)
        ticksPerHead = Int((max(headTimeoutMilliseconds, 1) + interval - 1) / interval)
    }

    /// A quarter of the shorter timeout, between 100 ms and 1 s: 30 s idle → closed 30–31 s after
    /// the last activity, for one pass over the loop's connections a second.
    static func interval(timeoutMilliseconds: Int64) -> Int64 {
        min(max(timeoutMilliseconds / 4, 100), 1000)
    }

    func register(_ connection: HTTPConnectionGuard) {
        guard connection.sweeperSlot < 0 else { return }
        if let slot = freeSlots.popLast() {
            slots[slot] = connection
            connection.sweeperSlot = slot
        } else {
            connection.sweeperSlot = slots.count
            slots.append(connection)
        }
    }

    func unregister(_ connection: HTTPConnectionGuard) {
        let slot = connection.sweeperSlot
        guard slot >= 0 else { return }
        slots[slot] = nil
        freeSlots.append(slot)
        connection.sweeperSlot = -1
    }

    var connectionCount: Int { slots.count - freeSlots.count }

    /// Advances the tick and closes the connections idle for longer than the timeout, and those
    /// whose current request head has taken longer than the head timeout.
    func sweep() {
        tick += 1
        var idle: [HTTPConnectionGuard] = []
        var slow: [HTTPConnectionGuard] = []
        for case let connection? in slots {
            if tick - connection.lastActive > ticksPerTimeout {
                idle.append(connection)
            } else if connection.headStarted >= 0, tick - connection.headStarted > ticksPerHead {
                slow.append(connection)
            }
        }
        // Closing unregisters (channelInactive), so the slots are not walked while closing.
        for connection in idle {
            unregister(connection)
            connection.closeIdle()
        }
        for connection in slow {
            unregister(connection)
            connection.closeSlowHead()
        }
    }
}
