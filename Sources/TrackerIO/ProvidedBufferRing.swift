#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// A provided-buffer ring (IORING_REGISTER_PBUF_RING) and the buffers it hands to multishot
/// receives. Buffer `bid` lives at `buffers + bid × bufferSize`.
struct ProvidedBufferRing: ~Copyable {
    /// The only buffer group: one ring per worker, shared by that worker's sockets.
    static let groupID: UInt16 = 0
    /// Kernel limit on buffer ring entries (io_uring/kbuf.c: ring_entries ≥ 65536 is rejected,
    /// and liburing documents 32768 as the maximum).
    static let maximumEntries = 32768

    private let ringMemory: AnonymousMemory
    private let bufferMemory: AnonymousMemory
    let entries: Int
    let bufferSize: Int
    private let mask: Int32
    /// Buffers recycled since the last `commit()`.
    private var pending: Int32 = 0

    var ring: UnsafeMutablePointer<io_uring_buf_ring> {
        // SAFETY: ringMemory is page aligned and holds `entries` io_uring_buf records.
        ringMemory.base.assumingMemoryBound(to: io_uring_buf_ring.self)
    }

    /// Smallest useful buffer: the 16 B io_uring_recvmsg_out, a 28 B sockaddr_in6 name, the 40 B
    /// pktinfo control area and the 16 B of a BEP 15 connect request.
    static let minimumBufferSize = 16 + 28 + 40 + 16

    /// `requested` is rounded up to a power of two (a kernel requirement) and clamped to
    /// `maximumEntries`; `bufferSize` is raised to `minimumBufferSize`.
    init(entries requested: Int, bufferSize requestedSize: Int) throws(SystemError) {
        var entries = 1
        while entries < requested && entries < Self.maximumEntries { entries <<= 1 }
        let bufferSize = max(requestedSize, Self.minimumBufferSize)
        self.entries = entries
        self.bufferSize = bufferSize
        mask = io_uring_buf_ring_mask(UInt32(entries))
        let ringMemory = try AnonymousMemory(byteCount: entries * MemoryLayout<io_uring_buf>.stride, call: "mmap(buffer ring)")
        let bufferMemory = try AnonymousMemory(byteCount: entries * bufferSize, call: "mmap(buffers)")
        self.ringMemory = ringMemory
        self.bufferMemory = bufferMemory
        io_uring_buf_ring_init(ring)
        for bid in 0..<entries { recycle(UInt16(bid)) }
        commit()
    }

    /// Registers the ring as buffer group `groupID` of `uring`.
    func register(on uring: UnsafeMutablePointer<io_uring>) throws(SystemError) {
        var registration = io_uring_buf_reg()
        registration.ring_addr = UInt64(UInt(bitPattern: ringMemory.base))
        registration.ring_entries = UInt32(entries)
        registration.bgid = Self.groupID
        _ = try uringCall("io_uring_register_buf_ring", io_uring_register_buf_ring(uring, &registration, 0))
    }

    func unregister(from uring: UnsafeMutablePointer<io_uring>) {
        _ = io_uring_unregister_buf_ring(uring, Int32(Self.groupID))
    }

    /// The start of buffer `bid`; nil when the kernel reported an id this ring never issued.
    func buffer(_ bid: UInt16) -> UnsafeMutableRawPointer? {
        guard Int(bid) < entries else { return nil }
        // SAFETY: bid < entries, so the buffer lies inside bufferMemory.
        return bufferMemory.base + Int(bid) * bufferSize
    }

    /// Hands buffer `bid` back; visible to the kernel after the next `commit()`.
    mutating func recycle(_ bid: UInt16) {
        guard let address = buffer(bid) else { return }
        // SAFETY: at most `entries` buffers are outstanding, so pending < entries and the slot
        // written at tail + pending is one the kernel has already consumed.
        io_uring_buf_ring_add(ring, address, UInt32(bufferSize), bid, mask, pending)
        pending += 1
    }

    /// Publishes the recycled buffers with one release store of the tail.
    mutating func commit() {
        guard pending > 0 else { return }
        io_uring_buf_ring_advance(ring, pending)
        pending = 0
    }
}
