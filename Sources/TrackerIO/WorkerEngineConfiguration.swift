/// Which kernel interface moves the datagrams.
public enum IOBackend: String, Sendable, CaseIterable {
    case ioUring = "io_uring"
    case mmsg
}

/// Sizes for one worker's engine. All memory is allocated once from these at start-up.
public struct WorkerEngineConfiguration: Sendable {
    public var backend: IOBackend
    /// Provided buffers (io_uring); rounded up to a power of two, at most 32768 (kernel limit).
    /// 128 by default. The kernel takes buffers in ring order, so each is reused only after all
    /// the others: 1,024 × ~2.1 KiB rotate through 2 MiB, likely out of cache by the time they come
    /// round again behind the tracker's own table misses (inferred: this VM has no cache counters).
    /// In A/B runs of both orders 128 gave a higher peak and less CPU per response than 1,024;
    /// the final interleaved run did not reproduce the peak gain (bench/results/2026-12-06-2130-
    /// buffers.md). A saturated turn drains ~66 receives and returns their buffers before the next
    /// batch; datagrams that arrive while the ring is empty wait in the socket's receive buffer
    /// (8 MiB asked for, capped by net.core.rmem_max without root) until the turn re-arms the
    /// multishot receive, which /metrics counts (`buffer_ring_empty`, `receive_rearmed`). Neither
    /// moved with 128 under a closed loop of 4,096 outstanding requests at saturation. The ring is
    /// shared by all of a worker's sockets.
    public var bufferCount: Int
    /// Payload bytes read per datagram, the same on both backends (io_uring adds its header, name
    /// and control area to each provided buffer); a longer datagram is truncated and dropped
    /// (counted) by both. The server passes `UDPLimits.maxRequestSize`.
    public var bufferSize: Int
    /// Replies in flight (io_uring send slots).
    public var sendSlots: Int
    /// Longest wait before `tick()` and before noticing a stop request.
    public var tickMilliseconds: Int
    /// Bytes per reply buffer. 1280 covers the largest BEP 15 reply (20 + 200 × 6 = 1220 B).
    public var replyCapacity: Int

    public init(
        backend: IOBackend,
        bufferCount: Int = 128,
        bufferSize: Int = 2048,
        sendSlots: Int = 4096,
        tickMilliseconds: Int = 100,
        replyCapacity: Int = 1280
    ) {
        self.backend = backend
        self.bufferCount = bufferCount
        self.bufferSize = bufferSize
        self.sendSlots = sendSlots
        self.tickMilliseconds = tickMilliseconds
        self.replyCapacity = replyCapacity
    }
}
