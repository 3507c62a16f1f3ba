#if canImport(Glibc)
import Glibc
#endif

/// A non-blocking UDP socket bound to one address. Owns its descriptor and closes it on deinit.
public struct UDPSocket: ~Copyable, Sendable {
    public let fileDescriptor: Int32

    /// 8 MiB: on loopback every datagram costs ~832 B of SO_RCVBUF truesize whatever its size, so
    /// this holds ~10k queued requests (the kernel charges skb truesize, not payload, against
    /// SO_RCVBUF: net/core/sock.c `__sock_queue_rcv_skb`).
    public static let defaultReceiveBuffer = 8 << 20

    private init(fileDescriptor: Int32) {
        self.fileDescriptor = fileDescriptor
    }

    deinit {
        _ = close(fileDescriptor)
    }

    /// Opens, configures and binds a socket. IPv6 sockets are IPV6_V6ONLY (the IPv4 socket is separate).
    public static func bind(
        _ address: SocketAddress,
        reusePort: Bool,
        receiveBuffer: Int = UDPSocket.defaultReceiveBuffer
    ) throws(SystemError) -> UDPSocket {
        let socket = try open(family: address.family)
        if reusePort {
            try socket.setOption(SOL_SOCKET, SO_REUSEPORT, 1, "setsockopt(SO_REUSEPORT)")
        }
        if address.isIPv6 {
            try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)")
        }
        if receiveBuffer > 0 {
            try socket.raiseReceiveBuffer(to: receiveBuffer)
        }
        if address.isWildcard {
            // The engines answer each datagram from the address it was sent to.
            try PacketInfo.enable(on: socket.fileDescriptor, ipv6: address.isIPv6)
        }
        try socket.bindTo(address)
        return socket
    }

    /// Binds `address` once *without* SO_REUSEPORT and closes it again. Throws EADDRINUSE when any
    /// socket (another RingTracker included) already holds the port, which SO_REUSEPORT alone would hide.
    public static func checkExclusive(_ address: SocketAddress) throws(SystemError) {
        let socket = try open(family: address.family)
        if address.isIPv6 {
            try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)")
        }
        try socket.bindTo(address)
    }

    /// For port 0: the address with a port nobody holds, found by binding once *without*
    /// SO_REUSEPORT. An ephemeral bind *with* SO_REUSEPORT may be handed a port already in another
    /// same-uid reuseport group, silently joining it (and splitting its traffic).
    public static func unusedPort(_ address: SocketAddress) throws(SystemError) -> SocketAddress {
        let socket = try open(family: address.family)
        if address.isIPv6 {
            try socket.setOption(Int32(IPPROTO_IPV6), IPV6_V6ONLY, 1, "setsockopt(IPV6_V6ONLY)")
        }
        try socket.bindTo(address)
        return try socket.localAddress()
    }

    /// The address the kernel bound, with the real port when bound to port 0.
    public func localAddress() throws(SystemError) -> SocketAddress {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = try withUnsafeMutableBytes(of: &storage) { (raw) throws(SystemError) -> Int32 in
            try systemCallValue("getsockname") {
                // SAFETY: `raw` is a whole sockaddr_storage and `length` says so.
                getsockname(fileDescriptor, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            }
        }
        return try withUnsafeBytes(of: &storage) { (raw) throws(SystemError) -> SocketAddress in
            // SAFETY: getsockname filled a sockaddr of the socket's family into `raw`.
            guard let address = SocketAddress(copying: raw.baseAddress!) else {
                throw SystemError(errno: EAFNOSUPPORT, call: "getsockname")
            }
            return address
        }
    }

    /// The receive buffer size the kernel reports (twice what was granted, per socket(7)).
    public func receiveBufferSize() throws(SystemError) -> Int {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try systemCallValue("getsockopt(SO_RCVBUF)") {
            getsockopt(fileDescriptor, SOL_SOCKET, SO_RCVBUF, &value, &length)
        }
        return Int(value)
    }

    /// Gives up ownership of the descriptor without closing it.
    public consuming func release() -> Int32 {
        let fd = fileDescriptor
        discard self
        return fd
    }

    // MARK: - Helpers

    private static func open(family: Int32) throws(SystemError) -> UDPSocket {
        let type = Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try systemCallValue("socket") { socket(family, type, 0) }
        return UDPSocket(fileDescriptor: fd)
    }

    private func setOption(_ level: Int32, _ name: Int32, _ value: Int32, _ call: StaticString) throws(SystemError) {
        var value = value
        _ = try systemCallValue(call) {
            setsockopt(fileDescriptor, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// SO_RCVBUFFORCE (root, CAP_NET_ADMIN) ignores net.core.rmem_max; SO_RCVBUF is clamped to it.
    private func raiseReceiveBuffer(to bytes: Int) throws(SystemError) {
        let value = Int32(clamping: bytes)
        if geteuid() == 0,
           (try? setOption(SOL_SOCKET, SO_RCVBUFFORCE, value, "setsockopt(SO_RCVBUFFORCE)")) != nil {
            return
        }
        try setOption(SOL_SOCKET, SO_RCVBUF, value, "setsockopt(SO_RCVBUF)")
    }

    private func bindTo(_ address: SocketAddress) throws(SystemError) {
        _ = try address.withSockAddr { (pointer, length) throws(SystemError) -> Int32 in
            try systemCallValue("bind") { Glibc.bind(fileDescriptor, pointer, length) }
        }
    }
}
