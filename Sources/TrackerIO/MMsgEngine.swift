#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// The fallback backend: recvmmsg batches per socket → handler → one sendmmsg per batch, and
/// poll() with the tick timeout when every socket is empty. Same shape as the io_uring engine.
struct MMsgEngine: ~Copyable {
    /// Datagrams per recvmmsg/sendmmsg. Under saturation batches of 64 were always full
    /// (measured with bench/compare), and 64 × 2 KiB stays inside L2.
    static let batch = 64

    let socketCount: Int
    let sockets: UnsafeMutablePointer<Int32>
    let polls: UnsafeMutablePointer<pollfd>
    let tickMilliseconds: Int32
    let bufferSize: Int
    let replyCapacity: Int
    let receiveMessages: UnsafeMutablePointer<CLiburingShim_mmsghdr>
    let receiveVectors: UnsafeMutablePointer<iovec>
    /// Each entry's source address, which its reply is also sent to (the send message points here:
    /// every reply goes out before the next recvmmsg overwrites it, so nothing is copied).
    let receiveNames: UnsafeMutablePointer<sockaddr_storage>
    let receiveBuffers: UnsafeMutableRawPointer
    /// Each entry's control area: the pktinfo message of a wildcard socket's datagram.
    let receiveControls: UnsafeMutableRawPointer
    let sendMessages: UnsafeMutablePointer<CLiburingShim_mmsghdr>
    let sendVectors: UnsafeMutablePointer<iovec>
    let sendBuffers: UnsafeMutableRawPointer
    /// Each reply's control area: the source address it leaves from (PacketInfo).
    let sendControls: UnsafeMutableRawPointer

    init(sockets fds: [Int32], configuration: WorkerEngineConfiguration) {
        let batch = Self.batch
        socketCount = fds.count
        // SAFETY: every array below is allocated once here with the count it is indexed by
        // (sockets: max(count, 1); messages, vectors, names: `batch`; byte areas: batch × element
        // size, 16-byte aligned for cmsg and sockaddr access), initialised before the first
        // recvmmsg/sendmmsg, never reallocated, and freed once in deinit after the last syscall.
        sockets = .allocate(capacity: max(fds.count, 1))
        polls = .allocate(capacity: max(fds.count, 1))
        for (index, fd) in fds.enumerated() {
            sockets[index] = fd
            polls[index] = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        }
        tickMilliseconds = Int32(clamping: max(configuration.tickMilliseconds, 1))
        bufferSize = max(configuration.bufferSize, 1)
        replyCapacity = max(configuration.replyCapacity, 1)
        receiveMessages = .allocate(capacity: batch)
        receiveVectors = .allocate(capacity: batch)
        receiveNames = .allocate(capacity: batch)
        receiveBuffers = .allocate(byteCount: batch * bufferSize, alignment: 16)
        receiveControls = .allocate(byteCount: batch * PacketInfo.controlSpace, alignment: 16)
        sendMessages = .allocate(capacity: batch)
        sendVectors = .allocate(capacity: batch)
        sendBuffers = .allocate(byteCount: batch * replyCapacity, alignment: 16)
        sendControls = .allocate(byteCount: batch * PacketInfo.controlSpace, alignment: 16)
        for entry in 0..<batch {
            // SAFETY: entry < batch for every array; the pointers wired here stay valid until deinit.
            (receiveNames + entry).initialize(to: sockaddr_storage())
            (receiveVectors + entry).initialize(to: iovec(iov_base: receiveBuffers + entry * bufferSize, iov_len: bufferSize))
            (sendVectors + entry).initialize(to: iovec(iov_base: sendBuffers + entry * replyCapacity, iov_len: 0))
            var receive = msghdr()
            receive.msg_name = UnsafeMutableRawPointer(receiveNames + entry)
            receive.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            receive.msg_iov = receiveVectors + entry
            receive.msg_iovlen = 1
            receive.msg_control = receiveControls + entry * PacketInfo.controlSpace
            receive.msg_controllen = PacketInfo.controlSpace
            (receiveMessages + entry).initialize(to: CLiburingShim_mmsghdr(msg_hdr: receive, msg_len: 0))
            var send = msghdr()
            send.msg_iov = sendVectors + entry
            send.msg_iovlen = 1
            (sendMessages + entry).initialize(to: CLiburingShim_mmsghdr(msg_hdr: send, msg_len: 0))
        }
    }

    deinit {
        sockets.deallocate()
        polls.deallocate()
        receiveMessages.deallocate()
        receiveVectors.deallocate()
        receiveNames.deallocate()
        receiveBuffers.deallocate()
        receiveControls.deallocate()
        sendMessages.deallocate()
        sendVectors.deallocate()
        sendBuffers.deallocate()
        sendControls.deallocate()
    }

    mutating func run<H: DatagramHandler>(
        handler: inout H,
        stop: StopSignal,
        counters: EngineCounters
    ) throws(SystemError) {
        var counts = EngineCounts()
        while !stop.isRequested {
            var sawData = false
            for index in 0..<socketCount {
                if try serviceBatch(socket: sockets[index], handler: &handler, counts: &counts) { sawData = true }
            }
            if !sawData {
                _ = try systemCall("poll") { poll(polls, nfds_t(socketCount), tickMilliseconds) }
            }
            counters.publish(&counts)
            handler.tick()
        }
        counters.publish(&counts)
    }

    /// One recvmmsg batch from `fd`, answered with one sendmmsg. False when the socket was empty.
    private func serviceBatch<H: DatagramHandler>(
        socket fd: Int32,
        handler: inout H,
        counts: inout EngineCounts
    ) throws(SystemError) -> Bool {
        for entry in 0..<Self.batch {
            // The kernel overwrites msg_namelen and msg_controllen with what it wrote; restore both.
            receiveMessages[entry].msg_hdr.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            receiveMessages[entry].msg_hdr.msg_controllen = PacketInfo.controlSpace
        }
        let received: Int
        do {
            // SAFETY: receiveMessages holds `batch` entries whose iovecs and names point into
            // buffers owned by self for its whole lifetime.
            switch try systemCall("recvmmsg", { CLiburingShim_recvmmsg(fd, receiveMessages, UInt32(Self.batch), Int32(MSG_DONTWAIT)) }) {
            case .wouldBlock: return false
            case .processed(let count): received = Int(count)
            }
        } catch {
            if Self.isFatal(error.errno) { throw error }
            counts.recvErrors += 1
            return false
        }
        var replies = 0
        for entry in 0..<received {
            let message = receiveMessages + entry
            if message.pointee.msg_hdr.msg_flags & Int32(MSG_TRUNC) != 0 {
                counts.truncated += 1
                continue
            }
            counts.received += 1
            let length = min(Int(message.pointee.msg_len), bufferSize)
            let source = UnsafeRawPointer(receiveNames + entry)
            // SAFETY: the kernel wrote msg_len payload bytes into this entry's buffer (≤ bufferSize)
            // and the source address into its name. The payload pointer does not outlive this
            // iteration; the name is also the reply's destination below, read by this batch's
            // sendmmsg, before the next recvmmsg writes it again.
            let payload = UnsafeRawBufferPointer(start: receiveBuffers + entry * bufferSize, count: length)
            let reply = UnsafeMutableRawBufferPointer(start: sendBuffers + replies * replyCapacity, count: replyCapacity)
            let replyLength = handler.handleDatagram(payload, source: source, reply: reply)
            guard replyLength > 0 else { continue }
            // SAFETY: replies ≤ entry < batch; the reply goes to the request's own source name,
            // which stays untouched until the next recvmmsg, after this batch's sendmmsg.
            sendMessages[replies].msg_hdr.msg_name = UnsafeMutableRawPointer(receiveNames + entry)
            sendMessages[replies].msg_hdr.msg_namelen = socklen_t(
                min(Int(message.pointee.msg_hdr.msg_namelen), MemoryLayout<sockaddr_storage>.size))
            sendVectors[replies].iov_len = min(replyLength, replyCapacity)
            // SAFETY: the kernel wrote msg_controllen ≤ controlSpace bytes into this entry's control
            // area; the reply's control goes into send entry `replies`' own area.
            let replyControl = sendControls + replies * PacketInfo.controlSpace
            let controlLength = PacketInfo.replyControl(
                received: receiveControls + entry * PacketInfo.controlSpace,
                length: min(Int(message.pointee.msg_hdr.msg_controllen), PacketInfo.controlSpace), into: replyControl)
            sendMessages[replies].msg_hdr.msg_control = controlLength > 0 ? replyControl : nil
            sendMessages[replies].msg_hdr.msg_controllen = controlLength
            replies += 1
        }
        try send(replies, on: fd, counts: &counts)
        return true
    }

    /// Sends the first `count` prepared replies, skipping past any message the kernel refuses.
    private func send(_ count: Int, on fd: Int32, counts: inout EngineCounts) throws(SystemError) {
        var offset = 0
        while offset < count {
            do {
                // SAFETY: entries offset..<count were prepared by serviceBatch and stay valid.
                switch try systemCall("sendmmsg", { CLiburingShim_sendmmsg(fd, sendMessages + offset, UInt32(count - offset), Int32(MSG_DONTWAIT)) }) {
                case .processed(let sent) where sent > 0:
                    counts.sent += UInt64(sent)
                    offset += Int(sent)
                case .processed, .wouldBlock:
                    // The send buffer is full: drop the rest of this batch rather than stall reads.
                    counts.sendErrors += UInt64(count - offset)
                    return
                }
            } catch {
                if Self.isFatal(error.errno) { throw error }
                // sendmmsg fails only when its first message fails: count it and move on.
                counts.sendErrors += 1
                offset += 1
            }
        }
    }

    /// Errors that mean the socket itself is unusable, not one bad datagram (shared by both engines).
    static func isFatal(_ errno: Int32) -> Bool {
        errno == EBADF || errno == ENOTSOCK || errno == EFAULT || errno == EINVAL
    }
}
