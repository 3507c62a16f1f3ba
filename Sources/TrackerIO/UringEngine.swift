#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// The io_uring backend: one multishot recvmsg per socket on a provided-buffer ring, replies as
/// sendmsg SQEs from a slot pool, one io_uring_submit_and_wait_timeout per loop turn.
/// Everything is allocated here, once; `run` never allocates.
struct UringEngine: ~Copyable {
    /// CQEs taken per io_uring_peek_batch_cqe: a saturated turn brought ~66, so 1024 drains any
    /// realistic backlog in one or two calls.
    static let completionBatch = 1024
    /// The kernel caps SQ entries at 32768; 4096 covers a full turn of replies.
    static let submissionRange = 64...4096
    /// CQ ≥ 2 × (buffers + replies in flight) keeps the CQ out of the slow overflow path.
    static let completionRange = 256...65536
    /// Upper bound on the shutdown drain (cancel receives, wait for sends).
    static let shutdownMilliseconds = 500

    let ring: UnsafeMutablePointer<io_uring>
    let setupFlags: UInt32
    let socketCount: Int
    let sockets: UnsafeMutablePointer<Int32>
    /// One recvmsg template per socket: msg_namelen 28 (sockaddr_in6), no iovec, msg_controllen
    /// `PacketInfo.controlSpace` (the kernel reserves that much of each buffer for control data).
    let receiveHeaders: UnsafeMutablePointer<msghdr>
    /// Whether socket i currently has a multishot receive in the kernel.
    let armed: UnsafeMutablePointer<Bool>
    let completions: UnsafeMutablePointer<UnsafeMutablePointer<io_uring_cqe>?>
    let timeout: UnsafeMutablePointer<__kernel_timespec>
    var buffers: ProvidedBufferRing
    var slots: SendSlotPool
    var sendsInFlight = 0
    var stopping = false
    /// errno of a receive failure that means the socket is unusable (EBADF, ENOTSOCK…); 0 if none.
    var socketFailure: Int32 = 0

    /// What a multishot recvmsg buffer holds besides the payload: the io_uring_recvmsg_out header
    /// (16 B), the source name (sockaddr_in6, 28 B) and the control area (the pktinfo message).
    /// A buffer is this plus `bufferSize`, so both backends read exactly `bufferSize` payload bytes
    /// and truncate (and drop) exactly the same datagrams.
    static let receiveOverhead = MemoryLayout<io_uring_recvmsg_out>.size + MemoryLayout<sockaddr_in6>.size
        + PacketInfo.controlSpace

    init(sockets fds: [Int32], configuration: WorkerEngineConfiguration) throws(SystemError) {
        let buffers = try ProvidedBufferRing(
            entries: configuration.bufferCount, bufferSize: max(configuration.bufferSize, 1) + Self.receiveOverhead)
        let slotCount = max(configuration.sendSlots, 1)
        let submission = UringRing.nextPowerOfTwo(slotCount + fds.count, within: Self.submissionRange)
        let completion = UringRing.nextPowerOfTwo(2 * (buffers.entries + slotCount), within: Self.completionRange)
        let (ring, flags) = try UringRing.create(submissionEntries: UInt32(submission), completionEntries: UInt32(completion))
        do {
            try buffers.register(on: ring)
        } catch {
            UringRing.destroy(ring)
            throw error
        }
        self.ring = ring
        setupFlags = flags
        self.buffers = buffers
        slots = SendSlotPool(count: slotCount, capacity: configuration.replyCapacity)
        socketCount = fds.count
        // SAFETY: per-socket arrays of max(count, 1) elements, every element initialised in the
        // loop below before the ring can reference it; indices are < socketCount everywhere. The
        // kernel writes into `receiveHeaders` only while a receive is armed, and deinit frees them
        // after the ring is destroyed (no completion can arrive afterwards).
        sockets = .allocate(capacity: max(fds.count, 1))
        receiveHeaders = .allocate(capacity: max(fds.count, 1))
        armed = .allocate(capacity: max(fds.count, 1))
        for (index, fd) in fds.enumerated() {
            sockets[index] = fd
            var header = msghdr()
            header.msg_namelen = socklen_t(MemoryLayout<sockaddr_in6>.size)
            header.msg_controllen = PacketInfo.controlSpace
            (receiveHeaders + index).initialize(to: header)
            armed[index] = false
        }
        // SAFETY: room for one peek batch of CQE pointers, initialised to nil; only
        // io_uring_peek_batch_cqe writes it, at most completionBatch entries.
        completions = .allocate(capacity: Self.completionBatch)
        completions.initialize(repeating: nil, count: Self.completionBatch)
        let tick = max(configuration.tickMilliseconds, 1)
        timeout = .allocate(capacity: 1)
        timeout.initialize(to: __kernel_timespec(tv_sec: Int64(tick / 1000), tv_nsec: Int64(tick % 1000) * 1_000_000))
    }

    deinit {
        // The ring goes first so the kernel drops its references to buffers and slots, which
        // the stored properties' own deinits free afterwards.
        buffers.unregister(from: ring)
        UringRing.destroy(ring)
        sockets.deallocate()
        receiveHeaders.deallocate()
        armed.deallocate()
        completions.deallocate()
        timeout.deallocate()
    }

    /// The next free SQE, submitting what is queued once if the SQ is full. nil when the submit
    /// fails (EAGAIN/EBUSY: the kernel is short of memory or the CQ is full); the caller drops the
    /// reply or retries the arm next turn, and the loop's submit-and-wait drains the CQ.
    mutating func nextSubmission() -> UnsafeMutablePointer<io_uring_sqe>? {
        if let sqe = io_uring_get_sqe(ring) { return sqe }
        guard io_uring_submit(ring) >= 0 else { return nil }
        return io_uring_get_sqe(ring)
    }

    /// Arms (or re-arms) the multishot recvmsg of socket `index`. False if no SQE was free;
    /// the loop retries on its next turn.
    mutating func armReceive(_ index: Int) -> Bool {
        guard let sqe = nextSubmission() else { return false }
        // SAFETY: receiveHeaders[index] lives until deinit, after the ring is gone; the kernel
        // copies msg_namelen/msg_controllen from it when the request is issued.
        io_uring_prep_recvmsg_multishot(sqe, sockets[index], receiveHeaders + index, 0)
        sqe.pointee.flags |= CLiburingShim_IOSQE_BUFFER_SELECT
        sqe.pointee.buf_group = ProvidedBufferRing.groupID
        io_uring_sqe_set_data64(sqe, UserData(kind: .receive, index: index).rawValue)
        armed[index] = true
        return true
    }
}
