import NIOCore
import NIOPosix
import TrackerCore
import TrackerProtocol

/// State one event loop owns: its counters, RNG, scratch buffers and idle sweeper. Every connection on the
/// loop shares it, and only that loop's thread touches it, so no lock guards it.
final class HTTPLoopContext: @unchecked Sendable {
    // @unchecked: mutated only on `index`'s event loop (handlers run there; NIO's threading model).
    let index: Int
    let statistics: HTTPStatistics
    var rng: Xoshiro256
    /// Room for the largest reply: 200 IPv6 peers × 18 B (HTTPLimits.maxNumWant).
    var peerBuffer: [UInt8]
    /// This loop's cached view of the access list (refreshed per announce: one atomic load).
    var access: AccessPolicy.Reader?
    /// The last response's buffer. Once its socket write has completed NIO no longer holds the
    /// storage, so the next response reuses it: no allocation per response.
    private var responseBuffer: ByteBuffer?
    private let allocator: ByteBufferAllocator
    let idle: HTTPIdleSweeper
    /// This loop's ring to the cluster sync thread (single producer: this loop's thread).
    let sync: SyncQueue?

    init(
        index: Int, statistics: HTTPStatistics, seed: UInt64, access: AccessPolicy?, idle: HTTPIdleSweeper,
        allocator: ByteBufferAllocator, sync: SyncQueue? = nil
    ) {
        self.sync = sync
        self.index = index
        self.statistics = statistics
        self.access = access?.makeReader()
        self.rng = Xoshiro256(seed: seed)
        self.peerBuffer = [UInt8](repeating: 0, count: HTTPLimits.maxNumWant * HTTPLimits.compactPeerSizeIPv6)
        self.idle = idle
        self.allocator = allocator
    }

    /// Head plus a full IPv6 compact reply (200 × 18 B + ~150 B) fits without growing.
    static let responseCapacity = 4096

    /// An empty buffer for the next response: the last one's storage when NIO has let go of it
    /// (unique again), else a fresh one (the previous write is still queued).
    func takeResponseBuffer() -> ByteBuffer {
        // A /metrics page or a big scrape may have grown it: that memory is not kept per loop.
        guard var buffer = responseBuffer.take(), buffer.capacity <= 4 * Self.responseCapacity else {
            return allocator.buffer(capacity: Self.responseCapacity)
        }
        buffer.clear()
        return buffer
    }

    /// Keeps `buffer` (just handed to the channel) for the next `takeResponseBuffer`.
    func keepResponseBuffer(_ buffer: ByteBuffer) {
        responseBuffer = buffer
    }
}
