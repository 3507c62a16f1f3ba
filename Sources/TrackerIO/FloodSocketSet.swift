#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// The client side of the mmsg path, for the load generator (ringflood): a set of UDP sockets,
/// each bound to its own source address and connected to one target, with one poll() over all of
/// them to find the readable ones (Swift's Glibc module does not export epoll) and one sendmmsg / recvmmsg batch per socket per turn. All memory is
/// allocated once here; sending and receiving never allocate.
///
/// Connected sockets mean no per-datagram msg_name on send and a kernel-side filter on receive
/// (only the target can answer), which is what a BitTorrent client's socket looks like too.
public struct FloodSocketSet: ~Copyable {
    /// Largest request: a 74-hash scrape is 16 + 74 × 20 = 1,496 B.
    public static let requestCapacity = 1536
    /// Largest reply: 20 + 200 × 6 = 1,220 B (IPv4) or 20 + 66 × 18 = 1,208 B; 2 KiB leaves room
    /// to detect an oversized reply by its length instead of MSG_TRUNC.
    public static let replyCapacity = 2048

    public let count: Int
    public let batch: Int
    let sockets: UnsafeMutablePointer<Int32>
    let polls: UnsafeMutablePointer<pollfd>
    let ready: UnsafeMutablePointer<Int32>
    let sendMessages: UnsafeMutablePointer<CLiburingShim_mmsghdr>
    let sendVectors: UnsafeMutablePointer<iovec>
    let sendBuffers: UnsafeMutableRawPointer
    let receiveMessages: UnsafeMutablePointer<CLiburingShim_mmsghdr>
    let receiveVectors: UnsafeMutablePointer<iovec>
    let receiveBuffers: UnsafeMutableRawPointer

    /// Opens `sources.count` sockets: socket i is bound to `sources[i]` (port 0 picks one) and
    /// connected to `target`. `batch` is the most datagrams one send or receive call moves.
    public init(target: SocketAddress, sources: [SocketAddress], batch: Int,
                receiveBuffer: Int = 4 << 20) throws(SystemError) {
        let batch = max(batch, 1)
        self.batch = batch
        count = sources.count
        sockets = .allocate(capacity: max(count, 1))
        polls = .allocate(capacity: max(count, 1))
        ready = .allocate(capacity: max(count, 1))
        sendMessages = .allocate(capacity: batch)
        sendVectors = .allocate(capacity: batch)
        sendBuffers = .allocate(byteCount: batch * Self.requestCapacity, alignment: 64)
        receiveMessages = .allocate(capacity: batch)
        receiveVectors = .allocate(capacity: batch)
        receiveBuffers = .allocate(byteCount: batch * Self.replyCapacity, alignment: 64)
        for entry in 0..<batch {
            // SAFETY: entry < batch for every array; the wired pointers stay valid until deinit.
            (sendVectors + entry).initialize(to: iovec(iov_base: sendBuffers + entry * Self.requestCapacity, iov_len: 0))
            (receiveVectors + entry).initialize(to: iovec(iov_base: receiveBuffers + entry * Self.replyCapacity,
                                                          iov_len: Self.replyCapacity))
            var send = msghdr()
            send.msg_iov = sendVectors + entry
            send.msg_iovlen = 1
            (sendMessages + entry).initialize(to: CLiburingShim_mmsghdr(msg_hdr: send, msg_len: 0))
            var receive = msghdr()
            receive.msg_iov = receiveVectors + entry
            receive.msg_iovlen = 1
            (receiveMessages + entry).initialize(to: CLiburingShim_mmsghdr(msg_hdr: receive, msg_len: 0))
        }
        for index in 0..<max(count, 1) {
            sockets[index] = -1
            polls[index] = pollfd(fd: -1, events: Int16(POLLIN), revents: 0)   // poll() skips fd -1
            ready[index] = 0
        }
        for (index, source) in sources.enumerated() {
            let socket = try UDPSocket.bind(source, reusePort: false, receiveBuffer: receiveBuffer)
            let fd = socket.release()
            sockets[index] = fd
            _ = try target.withSockAddr { (pointer, length) throws(SystemError) -> Int32 in
                try systemCallValue("connect") { Glibc.connect(fd, pointer, length) }
            }
            polls[index].fd = fd
        }
    }

    deinit {
        for index in 0..<count where sockets[index] >= 0 { _ = close(sockets[index]) }
        sockets.deallocate()
        polls.deallocate()
        ready.deallocate()
        sendMessages.deallocate()
        sendVectors.deallocate()
        sendBuffers.deallocate()
        receiveMessages.deallocate()
        receiveVectors.deallocate()
        receiveBuffers.deallocate()
    }

    /// The local address of socket `index` (source address and the port the kernel picked).
    public func localAddress(of index: Int) throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let fd = sockets[index]
        _ = try withUnsafeMutableBytes(of: &storage) { (raw) throws(SystemError) -> Int32 in
            // SAFETY: `raw` is a whole sockaddr_storage and `length` says so.
            try systemCallValue("getsockname") { getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length) }
        }
        return try withUnsafeBytes(of: &storage) { (raw) throws(SystemError) -> SocketAddress in
            // SAFETY: getsockname wrote a sockaddr of the socket's family.
            guard let address = SocketAddress(copying: raw.baseAddress!) else {
                throw SystemError(errno: EAFNOSUPPORT, call: "getsockname")
            }
            return address
        }
    }

    /// Send-batch entry `entry` (< batch) to write a request into; finish it with `setSendLength`.
    public func sendBuffer(_ entry: Int) -> UnsafeMutableRawBufferPointer {
        precondition(entry >= 0 && entry < batch)
        // SAFETY: entry < batch, so the slice lies inside sendBuffers.
        return UnsafeMutableRawBufferPointer(start: sendBuffers + entry * Self.requestCapacity, count: Self.requestCapacity)
    }

    public func setSendLength(_ entry: Int, _ length: Int) {
        precondition(entry >= 0 && entry < batch)
        sendVectors[entry].iov_len = min(max(length, 0), Self.requestCapacity)
    }

    /// Sends send-batch entries 0..<`messages` on socket `index`. Returns how many the kernel took
    /// (fewer when its send buffer is full; the caller treats the rest as never sent).
    public func send(socket index: Int, messages: Int) throws(SystemError) -> Int {
        let fd = sockets[index]
        var offset = 0
        let total = min(messages, batch)
        while offset < total {
            do {
                // SAFETY: entries offset..<total are wired to buffers owned by self.
                switch try systemCall("sendmmsg", { CLiburingShim_sendmmsg(fd, sendMessages + offset, UInt32(total - offset), Int32(MSG_DONTWAIT)) }) {
                case .processed(let sent) where sent > 0: offset += Int(sent)
                case .processed, .wouldBlock: return offset
                }
            } catch {
                // ECONNREFUSED: an ICMP port-unreachable from an earlier datagram (the target is
                // gone or not yet up). The request counts as sent and will time out.
                if error.errno == ECONNREFUSED { offset += 1; continue }
                throw error
            }
        }
        return offset
    }

    /// Waits up to `timeoutMilliseconds` (0 = poll) for readable sockets. Returns how many are
    /// ready; read their indexes with `readySocket(_:)`.
    public func waitReadable(timeoutMilliseconds: Int32) throws(SystemError) -> Int {
        let result: Int32
        switch try systemCall("poll", { poll(polls, nfds_t(count), timeoutMilliseconds) }) {
        case .processed(let value): result = value
        case .wouldBlock: return 0
        }
        guard result > 0 else { return 0 }
        var found = 0
        for index in 0..<count where polls[index].revents != 0 {
            // POLLERR (a queued ICMP error) also counts: the next recvmmsg consumes it.
            ready[found] = Int32(index)
            found += 1
        }
        return found
    }

    public func readySocket(_ index: Int) -> Int {
        // SAFETY: index < the value waitReadable returned, ≤ count.
        Int(ready[index])
    }

    /// One recvmmsg batch from socket `index`. Returns the number of datagrams; read them with
    /// `received(_:)`. Zero when nothing is queued.
    public func receive(socket index: Int) throws(SystemError) -> Int {
        let fd = sockets[index]
        do {
            // SAFETY: receiveMessages holds `batch` entries wired to buffers owned by self.
            switch try systemCall("recvmmsg", { CLiburingShim_recvmmsg(fd, receiveMessages, UInt32(batch), Int32(MSG_DONTWAIT)) }) {
            case .processed(let received): return Int(received)
            case .wouldBlock: return 0
            }
        } catch {
            if error.errno == ECONNREFUSED { return 0 }
            throw error
        }
    }

    /// Datagram `entry` of the last `receive`. Truncated datagrams report their full length
    /// clipped to the buffer, so an oversized reply fails size validation.
    public func received(_ entry: Int) -> UnsafeRawBufferPointer {
        precondition(entry >= 0 && entry < batch)
        let length = min(Int(receiveMessages[entry].msg_len), Self.replyCapacity)
        // SAFETY: the kernel wrote msg_len (≤ replyCapacity) bytes into this entry's buffer.
        return UnsafeRawBufferPointer(start: receiveBuffers + entry * Self.replyCapacity, count: length)
    }
}
