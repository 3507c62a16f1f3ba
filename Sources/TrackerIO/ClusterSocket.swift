#if canImport(Glibc)
import Glibc
#endif

/// The cluster sync socket: one per family, bound to the sync port on the wildcard address so it
/// receives both the multicast group and unicast from `--cluster-node` peers, and sends from the
/// same port (opentracker binds its outgoing socket to the sync port as well).
public struct ClusterSocket: ~Copyable, Sendable {
    public let socket: UDPSocket
    public var fileDescriptor: Int32 { socket.fileDescriptor }

    public init(port: UInt16, ipv6: Bool) throws(SystemError) {
        let wildcard = ipv6 ? "[::]:\(port)" : "0.0.0.0:\(port)"
        // SocketAddress(parsing:) of a literal we built cannot fail; map it to EINVAL all the same.
        guard let address = try? SocketAddress(parsing: wildcard) else { throw SystemError(errno: EINVAL, call: "bind") }
        let bound = try UDPSocket.bind(address, reusePort: true, receiveBuffer: 1 << 20)
        let fd = bound.fileDescriptor
        if ipv6 {
            try Self.set(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_HOPS, 1, "setsockopt(IPV6_MULTICAST_HOPS)")
            try Self.set(fd, Int32(IPPROTO_IPV6), IPV6_MULTICAST_LOOP, 0, "setsockopt(IPV6_MULTICAST_LOOP)")
        } else {
            // TTL 1 and no loopback, as opentracker: sync stays on the local link.
            try Self.set(fd, Int32(IPPROTO_IP), IP_MULTICAST_TTL, 1, "setsockopt(IP_MULTICAST_TTL)")
            try Self.set(fd, Int32(IPPROTO_IP), IP_MULTICAST_LOOP, 0, "setsockopt(IP_MULTICAST_LOOP)")
        }
        socket = bound
    }

    /// Joins an IPv4 group on the interface holding `interface` (an address, opentracker's
    /// `livesync.cluster.listen`), and sends to the group from that interface.
    public func joinIPv4(group: UInt32, interface: UInt32) throws(SystemError) {
        var request = ip_mreq()
        request.imr_multiaddr.s_addr = group.bigEndian
        request.imr_interface.s_addr = interface.bigEndian
        _ = try systemCallValue("setsockopt(IP_ADD_MEMBERSHIP)") {
            setsockopt(fileDescriptor, Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ip_mreq>.size))
        }
        var outgoing = in_addr(s_addr: interface.bigEndian)
        _ = try systemCallValue("setsockopt(IP_MULTICAST_IF)") {
            setsockopt(fileDescriptor, Int32(IPPROTO_IP), IP_MULTICAST_IF, &outgoing, socklen_t(MemoryLayout<in_addr>.size))
        }
    }

    /// Joins an IPv6 group on the interface named `interface` and sends to groups through it.
    public func joinIPv6(group: (UInt64, UInt64), interface: String) throws(SystemError) {
        let index = if_nametoindex(interface)
        guard index != 0 else { throw SystemError(errno: ENODEV, call: "if_nametoindex(\(interface))") }
        var request = ipv6_mreq()
        withUnsafeMutableBytes(of: &request.ipv6mr_multiaddr) { raw in
            raw.storeBytes(of: group.0.bigEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: group.1.bigEndian, toByteOffset: 8, as: UInt64.self)
        }
        request.ipv6mr_interface = index
        _ = try systemCallValue("setsockopt(IPV6_ADD_MEMBERSHIP)") {
            setsockopt(fileDescriptor, Int32(IPPROTO_IPV6), IPV6_ADD_MEMBERSHIP, &request, socklen_t(MemoryLayout<ipv6_mreq>.size))
        }
        var outgoing = Int32(bitPattern: index)
        _ = try systemCallValue("setsockopt(IPV6_MULTICAST_IF)") {
            setsockopt(fileDescriptor, Int32(IPPROTO_IPV6), IPV6_MULTICAST_IF, &outgoing, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// One datagram; a full send buffer (EAGAIN) or an unreachable node is a value, not a throw.
    public func send(_ bytes: UnsafeRawBufferPointer, to address: SocketAddress) -> Bool {
        let sent = address.withSockAddr { pointer, length in
            // SAFETY: `bytes` is valid for the call; the sockaddr comes from a parsed SocketAddress.
            sendto(fileDescriptor, bytes.baseAddress, bytes.count, Int32(MSG_DONTWAIT), pointer, length)
        }
        return sent == bytes.count
    }

    /// Waits up to `timeoutMilliseconds` for a datagram; returns its length and source, or nil.
    public func receive(into buffer: UnsafeMutableRawBufferPointer, timeoutMilliseconds: Int32) -> (Int, SocketAddress)? {
        var poller = pollfd(fd: fileDescriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) > 0 else { return nil }
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = withUnsafeMutableBytes(of: &storage) { raw in
            // SAFETY: `buffer` is owned by the caller for the call; `raw` is a whole sockaddr_storage.
            recvfrom(fileDescriptor, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT) | Int32(MSG_TRUNC),
                     raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
        }
        guard count >= 0 else { return nil }
        let source = withUnsafeBytes(of: &storage) { raw in SocketAddress(copying: raw.baseAddress!) }
        guard let source else { return nil }
        return (count, source)
    }

    private static func set(_ fd: Int32, _ level: Int32, _ name: Int32, _ value: Int32, _ call: StaticString) throws(SystemError) {
        var value = value
        _ = try systemCallValue(call) { setsockopt(fd, level, name, &value, socklen_t(MemoryLayout<Int32>.size)) }
    }
}
