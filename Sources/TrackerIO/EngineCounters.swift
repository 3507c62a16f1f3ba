import Synchronization

/// Totals one or more engines publish once per loop turn. Readers (stats, tests) load them relaxed.
public final class EngineCounters: Sendable {
    /// Datagrams read whole from a socket (truncated ones are counted apart). Those that then
    /// found no send slot are in `noSlotDrops` as well and never reached the handler.
    public let received = Atomic<UInt64>(0)
    /// Replies the kernel accepted.
    public let sent = Atomic<UInt64>(0)
    /// Replies the kernel refused (negative send result or sendmmsg error).
    public let sendErrors = Atomic<UInt64>(0)
    /// Datagrams dropped because no send slot or SQE was free for the reply.
    public let noSlotDrops = Atomic<UInt64>(0)
    /// Datagrams larger than the receive buffer (MSG_TRUNC), dropped unanswered.
    public let truncated = Atomic<UInt64>(0)
    /// Multishot receives re-armed after the kernel ended them (io_uring only).
    public let rearms = Atomic<UInt64>(0)
    /// Multishot receives that ended because the buffer ring ran dry (io_uring only).
    public let enobufs = Atomic<UInt64>(0)
    /// Receive failures other than "nothing to read" and ENOBUFS.
    public let recvErrors = Atomic<UInt64>(0)

    public init() {}

    /// A plain-integer copy, for tests and stats.
    public func snapshot() -> EngineCounts {
        EngineCounts(
            received: received.load(ordering: .relaxed), sent: sent.load(ordering: .relaxed),
            sendErrors: sendErrors.load(ordering: .relaxed), noSlotDrops: noSlotDrops.load(ordering: .relaxed),
            truncated: truncated.load(ordering: .relaxed), rearms: rearms.load(ordering: .relaxed),
            enobufs: enobufs.load(ordering: .relaxed), recvErrors: recvErrors.load(ordering: .relaxed))
    }

    /// Adds a worker's local counts and zeroes them: one locked add per non-zero field per loop turn.
    func publish(_ local: inout EngineCounts) {
        @inline(__always) func add(_ atomic: borrowing Atomic<UInt64>, _ value: UInt64) {
            if value != 0 { atomic.add(value, ordering: .relaxed) }
        }
        add(received, local.received)
        add(sent, local.sent)
        add(sendErrors, local.sendErrors)
        add(noSlotDrops, local.noSlotDrops)
        add(truncated, local.truncated)
        add(rearms, local.rearms)
        add(enobufs, local.enobufs)
        add(recvErrors, local.recvErrors)
        local = EngineCounts()
    }
}

/// The same counts as plain integers: what a worker increments per packet.
public struct EngineCounts: Sendable, Equatable {
    public var received: UInt64 = 0
    public var sent: UInt64 = 0
    public var sendErrors: UInt64 = 0
    public var noSlotDrops: UInt64 = 0
    public var truncated: UInt64 = 0
    public var rearms: UInt64 = 0
    public var enobufs: UInt64 = 0
    public var recvErrors: UInt64 = 0

    public init(
        received: UInt64 = 0, sent: UInt64 = 0, sendErrors: UInt64 = 0, noSlotDrops: UInt64 = 0,
        truncated: UInt64 = 0, rearms: UInt64 = 0, enobufs: UInt64 = 0, recvErrors: UInt64 = 0
    ) {
        self.received = received
        self.sent = sent
        self.sendErrors = sendErrors
        self.noSlotDrops = noSlotDrops
        self.truncated = truncated
        self.rearms = rearms
        self.enobufs = enobufs
        self.recvErrors = recvErrors
    }
}
