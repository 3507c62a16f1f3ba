/// The kernel's per-socket UDP counters from /proc/self/net/udp and udp6: above all `drops`,
/// datagrams the kernel threw away because the socket's receive buffer was full. That is the
/// counter to watch on a public tracker (raise net.core.rmem_max, add workers); the process
/// never sees those datagrams, so no counter of its own can show them.
public struct UDPSocketTable: Sendable {
    public struct Entry: Sendable, Equatable {
        /// "127.0.0.1:6969" or "[::1]:6969".
        public var local: String
        public var inode: UInt64
        /// Bytes waiting in the receive queue now.
        public var receiveQueueBytes: UInt64
        /// Datagrams dropped since the socket was opened (receive buffer full, or a filter).
        public var drops: UInt64

        public init(local: String, inode: UInt64, receiveQueueBytes: UInt64, drops: UInt64) {
            self.local = local
            self.inode = inode
            self.receiveQueueBytes = receiveQueueBytes
            self.drops = drops
        }
    }

    /// The entries for `inodes` (this process's sockets), sorted by address then inode.
    public static func read(inodes: Set<UInt64>) -> [Entry] {
        var entries: [Entry] = []
        for (path, ipv6) in [("/proc/self/net/udp", false), ("/proc/self/net/udp6", true)] {
            // About 150 bytes a socket: 64 MiB is some 400,000 sockets on a busy host.
            guard let text = try? BoundedFile.text(of: path, limit: 64 << 20) else { continue }
            entries += parse(text, ipv6: ipv6).filter { inodes.contains($0.inode) }
        }
        return entries.sorted { ($0.local, $0.inode) < ($1.local, $1.inode) }
    }

    /// One line per socket after a header (proc(5), net/ipv4/udp.c udp4_format_sock):
    /// `sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops`. Addresses
    /// are hex words in host byte order (little-endian here), ports hex numbers.
    public static func parse(_ text: String, ipv6: Bool) -> [Entry] {
        var entries: [Entry] = []
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ")
            guard fields.count >= 13, let local = address(fields[1], ipv6: ipv6),
                let queues = fields[4].split(separator: ":").last, let receive = UInt64(queues, radix: 16),
                let inode = UInt64(fields[9]), let drops = UInt64(fields[12])
            else { continue }
            entries.append(Entry(local: local, inode: inode, receiveQueueBytes: receive, drops: drops))
        }
        return entries
    }

    static func address(_ field: Substring, ipv6: Bool) -> String? {
        let parts = field.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1], radix: 16) else { return nil }
        let hex = parts[0]
        guard hex.count == (ipv6 ? 32 : 8) else { return nil }
        // Each 8-digit word is a host-order UInt32 whose memory bytes are the address bytes.
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let end = hex.index(index, offsetBy: 8)
            guard let word = UInt32(hex[index..<end], radix: 16) else { return nil }
            withUnsafeBytes(of: word) { bytes += $0 }
            index = end
        }
        if !ipv6 { return bytes.map(String.init).joined(separator: ".") + ":\(port)" }
        let groups = stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        // SocketAddress prints the canonical (RFC 5952) form through inet_ntop.
        return (try? SocketAddress(parsing: "[\(groups.joined(separator: ":"))]:\(port)"))?.description
    }
}
