#if canImport(Glibc)
import Glibc
#endif
import CLiburingShim

/// The local address a datagram was sent to (IP_PKTINFO / IPV6_PKTINFO), turned into the control
/// message of its reply. A socket bound to 0.0.0.0 or [::] otherwise answers from whatever address
/// the routing table picks for the client, and clients behind NAT or stateful firewalls drop a
/// reply from an address they did not send to (opentracker has the same flaw).
enum PacketInfo {
    /// Control bytes reserved per datagram, both directions (asserted in shim.c).
    static let controlSpace = Int(CLiburingShim_pktinfo_control_space)
    /// struct cmsghdr on LP64 Linux: cmsg_len (size_t) 8, cmsg_level 4, cmsg_type 4 (shim.c).
    private static let headerSize = 16
    /// sizeof(struct in_pktinfo) = ifindex 4 + spec_dst 4 + addr 4; sizeof(struct in6_pktinfo) = addr 16 + ifindex 4.
    private static let ipv4Size = 12
    private static let ipv6Size = 20

    /// Asks the kernel for the destination address of every datagram on `fd` (a wildcard socket).
    static func enable(on fd: Int32, ipv6: Bool) throws(SystemError) {
        var on: Int32 = 1
        let level = ipv6 ? Int32(IPPROTO_IPV6) : Int32(IPPROTO_IP)
        let name = ipv6 ? CLiburingShim_IPV6_RECVPKTINFO : CLiburingShim_IP_PKTINFO
        _ = try systemCallValue("setsockopt(PKTINFO)") {
            setsockopt(fd, level, name, &on, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// Writes the reply's control message for the first pktinfo message in the received `control`
    /// area (`length` bytes) into `out` (`controlSpace` bytes). Returns its length, 0 when the
    /// datagram carried none (a socket bound to one address needs none).
    static func replyControl(received control: UnsafeRawPointer, length: Int, into out: UnsafeMutableRawPointer) -> Int {
        var offset = 0
        while offset + headerSize <= length {
            // SAFETY: offset + 16 ≤ length, so the header lies inside the control area; unaligned
            // loads because the area follows a 28-byte name inside an io_uring buffer.
            let messageLength = Int(control.loadUnaligned(fromByteOffset: offset, as: UInt.self))
            let level = control.loadUnaligned(fromByteOffset: offset + 8, as: Int32.self)
            let type = control.loadUnaligned(fromByteOffset: offset + 12, as: Int32.self)
            guard messageLength >= headerSize, offset + messageLength <= length else { return 0 }
            let data = control + offset + headerSize
            if level == Int32(IPPROTO_IP), type == CLiburingShim_IP_PKTINFO, messageLength >= headerSize + ipv4Size {
                // Reply with ipi_spec_dst = the local address that received it, any interface.
                // SAFETY: the message holds a whole in_pktinfo (checked above); `out` has controlSpace bytes.
                let local = data.loadUnaligned(fromByteOffset: 4, as: UInt32.self)
                writeHeader(out, dataSize: ipv4Size, level: Int32(IPPROTO_IP), type: CLiburingShim_IP_PKTINFO)
                (out + headerSize).storeBytes(of: Int32(0), as: Int32.self)
                (out + headerSize + 4).storeBytes(of: local, as: UInt32.self)
                (out + headerSize + 8).storeBytes(of: UInt32(0), as: UInt32.self)
                return align(headerSize + ipv4Size)
            }
            if level == Int32(IPPROTO_IPV6), type == CLiburingShim_IPV6_PKTINFO, messageLength >= headerSize + ipv6Size {
                // The same address and interface (a link-local address needs its interface).
                // SAFETY: the message holds a whole in6_pktinfo (checked above); `out` has controlSpace bytes.
                writeHeader(out, dataSize: ipv6Size, level: Int32(IPPROTO_IPV6), type: CLiburingShim_IPV6_PKTINFO)
                (out + headerSize).copyMemory(from: data, byteCount: ipv6Size)
                return align(headerSize + ipv6Size)
            }
            offset += align(messageLength)
        }
        return 0
    }

    /// CMSG_ALIGN: control messages start on size_t boundaries.
    private static func align(_ length: Int) -> Int { (length + 7) & ~7 }

    private static func writeHeader(_ out: UnsafeMutableRawPointer, dataSize: Int, level: Int32, type: Int32) {
        // SAFETY: `out` is 8-aligned (slot and batch buffers are) and has controlSpace ≥ 16 bytes.
        out.storeBytes(of: UInt(headerSize + dataSize), as: UInt.self)
        (out + 8).storeBytes(of: level, as: Int32.self)
        (out + 12).storeBytes(of: type, as: Int32.self)
        // Zero the alignment padding so no stale bytes reach the kernel.
        (out + headerSize + dataSize).initializeMemory(as: UInt8.self, repeating: 0, count: align(headerSize + dataSize) - headerSize - dataSize)
    }
}
