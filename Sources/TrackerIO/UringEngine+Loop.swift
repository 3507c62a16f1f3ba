#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

extension UringEngine {
    /// The worker loop. Returns within about one tick of `stop`.
    mutating func run<H: DatagramHandler>(
        handler: inout H,
        stop: StopSignal,
        counters: EngineCounters
    ) throws(SystemError) {
        var counts = EngineCounts()
        for index in 0..<socketCount { _ = armReceive(index) }
        while !stop.isRequested {
            try submitAndWait()
            drain(handler: &handler, counts: &counts)
            if socketFailure != 0 {
                shutdown(handler: &handler, counts: &counts)
                counters.publish(&counts)
                throw SystemError(errno: socketFailure, call: "io_uring recvmsg")
            }
            armIdleSockets(counts: &counts)
            counters.publish(&counts)
            handler.tick()
        }
        shutdown(handler: &handler, counts: &counts)
        counters.publish(&counts)
    }

    /// One io_uring_enter: submit queued SQEs, wait for one CQE or the tick.
    private mutating func submitAndWait() throws(SystemError) {
        var first: UnsafeMutablePointer<io_uring_cqe>? = nil
        let result = io_uring_submit_and_wait_timeout(ring, &first, 1, timeout, nil)
        if result >= 0 { return }
        switch -result {
        case ETIME, EINTR, EAGAIN, EBUSY:
            // ETIME is the tick. EAGAIN/EBUSY: the kernel is short of memory or the CQ is full;
            // draining fixes both.
            return
        default:
            throw SystemError(errno: -result, call: "io_uring_submit_and_wait_timeout")
        }
    }

    /// Re-arms receives the kernel ended (ENOBUFS, errors) once their buffers are back.
    private mutating func armIdleSockets(counts: inout EngineCounts) {
        guard !stopping else { return }
        for index in 0..<socketCount where !armed[index] {
            if armReceive(index) { counts.rearms += 1 }
        }
    }

    /// Handles every CQE that is ready, in batches.
    private mutating func drain<H: DatagramHandler>(handler: inout H, counts: inout EngineCounts) {
        while true {
            let ready = Int(io_uring_peek_batch_cqe(ring, completions, UInt32(Self.completionBatch)))
            if ready == 0 { return }
            for position in 0..<ready {
                // SAFETY: peek_batch_cqe filled `ready` entries; each CQE stays valid until cq_advance below.
                guard let cqe = completions[position] else { continue }
                let userData = UserData(rawValue: cqe.pointee.user_data)
                switch userData.kind {
                case .receive:
                    completeReceive(cqe, socket: userData.index, handler: &handler, counts: &counts)
                case .send:
                    completeSend(cqe, slot: userData.index, counts: &counts)
                case .cancel, .none:
                    break
                }
            }
            // Buffers go back before the CQ space, so a re-armed receive finds them.
            buffers.commit()
            io_uring_cq_advance(ring, UInt32(ready))
            if ready < Self.completionBatch { return }
        }
    }

    private mutating func completeSend(_ cqe: UnsafeMutablePointer<io_uring_cqe>, slot: Int, counts: inout EngineCounts) {
        if cqe.pointee.res < 0 { counts.sendErrors += 1 } else { counts.sent += 1 }
        sendsInFlight -= 1
        slots.release(slot)
    }

    private mutating func completeReceive<H: DatagramHandler>(
        _ cqe: UnsafeMutablePointer<io_uring_cqe>,
        socket index: Int,
        handler: inout H,
        counts: inout EngineCounts
    ) {
        guard index >= 0, index < socketCount else { return }
        let result = cqe.pointee.res
        let flags = cqe.pointee.flags
        if flags & UInt32(IORING_CQE_F_BUFFER) != 0 {
            let bid = UInt16(truncatingIfNeeded: flags >> UInt32(IORING_CQE_BUFFER_SHIFT))
            if result > 0, let buffer = buffers.buffer(bid) {
                answer(buffer: buffer, length: result, socket: index, handler: &handler, counts: &counts)
            }
            buffers.recycle(bid)
        }
        if result < 0 {
            switch -result {
            case ENOBUFS: counts.enobufs += 1
            case ECANCELED: break
            case let error where MMsgEngine.isFatal(error):
                // The socket itself is unusable: re-arming would spin, so the loop stops with it.
                socketFailure = error
            default: counts.recvErrors += 1
            }
        }
        if flags & UInt32(IORING_CQE_F_MORE) == 0 {
            // The multishot is over; armIdleSockets re-arms after this batch's buffers are committed.
            armed[index] = false
        }
    }

    /// Parses one multishot buffer, lets the handler answer, queues the reply.
    private mutating func answer<H: DatagramHandler>(
        buffer: UnsafeMutableRawPointer,
        length: Int32,
        socket index: Int,
        handler: inout H,
        counts: inout EngineCounts
    ) {
        let header = receiveHeaders + index
        // SAFETY: `buffer` is the kernel-filled provided buffer of `length` bytes; validate checks
        // it holds the io_uring_recvmsg_out header and the name area before anything reads them.
        guard let out = io_uring_recvmsg_validate(buffer, length, header) else {
            counts.recvErrors += 1
            return
        }
        if out.pointee.flags & UInt32(MSG_TRUNC) != 0 {
            counts.truncated += 1
            return
        }
        counts.received += 1
        guard let namePointer = io_uring_recvmsg_name(out) else {
            counts.recvErrors += 1
            return
        }
        guard let slot = slots.acquire() else {
            counts.noSlotDrops += 1
            return
        }
        let name = UnsafeRawPointer(namePointer)
        let nameLength = min(Int(out.pointee.namelen), Int(header.pointee.msg_namelen))
        let payloadLength = Int(io_uring_recvmsg_payload_length(out, length, header))
        // SAFETY: validate() proved length ≥ header + name, and payload_length is what remains,
        // so the payload lies inside the buffer. The handler must not keep either pointer.
        let payload = UnsafeRawBufferPointer(start: io_uring_recvmsg_payload(out, header), count: payloadLength)
        let replyBuffer = slots.payload(slot)
        let replyLength = handler.handleDatagram(payload, source: name, reply: replyBuffer)
        guard replyLength > 0 else {
            slots.release(slot)
            return
        }
        guard let sqe = nextSubmission() else {
            slots.release(slot)
            counts.noSlotDrops += 1
            return
        }
        // SAFETY: validate() proved the buffer holds the name area and `controllen` ≤ msg_controllen
        // control bytes right after it; the reply's control message goes into the slot's own buffer.
        let control = name + Int(header.pointee.msg_namelen)
        let controlLength = PacketInfo.replyControl(
            received: control, length: min(Int(out.pointee.controllen), Int(header.pointee.msg_controllen)),
            into: slots.control(slot))
        // SAFETY: the slot's msghdr, iovec, address, control and payload are owned by `slots` and not
        // reused until the send's CQE releases the slot; the name is copied out of the receive
        // buffer, which is recycled right after this call.
        let message = slots.prepare(
            slot, length: min(replyLength, replyBuffer.count), destination: name, destinationLength: nameLength,
            controlLength: controlLength)
        io_uring_prep_sendmsg(sqe, sockets[index], message, 0)
        io_uring_sqe_set_data64(sqe, UserData(kind: .send, index: slot).rawValue)
        sendsInFlight += 1
    }

    /// Cancels the receives and waits (bounded) for sends in flight, so no request still
    /// references slot or buffer memory when deinit frees it.
    private mutating func shutdown<H: DatagramHandler>(handler: inout H, counts: inout EngineCounts) {
        stopping = true
        for index in 0..<socketCount where armed[index] {
            guard let sqe = nextSubmission() else { continue }
            io_uring_prep_cancel64(sqe, UserData(kind: .receive, index: index).rawValue, 0)
            io_uring_sqe_set_data64(sqe, UserData(kind: .cancel, index: index).rawValue)
        }
        let deadline = MonotonicClock.nanoseconds() / 1_000_000 + UInt64(Self.shutdownMilliseconds)
        while sendsInFlight > 0 || (0..<socketCount).contains(where: { armed[$0] }) {
            if MonotonicClock.nanoseconds() / 1_000_000 >= deadline { break }
            do { try submitAndWait() } catch { break }
            drain(handler: &handler, counts: &counts)
        }
    }
}
