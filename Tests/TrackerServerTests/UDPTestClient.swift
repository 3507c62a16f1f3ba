import Glibc

/// A blocking BEP 15 client for tests: one UDP socket bound to a chosen loopback source, so each
/// client is a distinct peer (address + port) to the tracker. Every receive has a deadline.
final class UDPTestClient {
    let fd: Int32
    let ipv6: Bool
    private var serverAddress = sockaddr_storage()
    private let serverLength: socklen_t
    /// Set by `connect()`; tests may hand one client's ID to another (as libtorrent does).
    var connectionID: UInt64 = 0
    /// errno of the last failed receive (EAGAIN: the timeout passed), for failure messages.
    private(set) var lastErrno: Int32 = 0
    private var nextTransaction: UInt32 = 1

    /// `source` is the loopback address to send from (127.0.0.x or ::1); the port is chosen by the kernel.
    init(server host: String, port: UInt16, source: String, receiveTimeoutMilliseconds: Int = 3000) throws {
        ipv6 = host.contains(":")
        fd = socket(ipv6 ? AF_INET6 : AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
        var timeout = timeval(tv_sec: receiveTimeoutMilliseconds / 1000, tv_usec: (receiveTimeoutMilliseconds % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var local = sockaddr_storage()
        let localLength = try Self.fill(&local, host: source, port: 0, ipv6: ipv6)
        serverLength = try Self.fill(&serverAddress, host: host, port: port, ipv6: ipv6)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, localLength) }
        }
        guard bound == 0 else { throw TestFailure("bind \(source): errno \(errno)") }
    }

    deinit { close(fd) }

    var localPort: UInt16 {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return withUnsafeBytes(of: &address) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
    }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { buffer in
            withUnsafePointer(to: &serverAddress) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, buffer.baseAddress, buffer.count, 0, $0, serverLength)
                }
            }
        }
    }

    /// The next datagram, or nil when the receive timeout passes.
    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = -1
        for _ in 0..<3 {  // EINTR is a retry, as for any client; bounded
            count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            lastErrno = count < 0 ? errno : 0
            if lastErrno != EINTR { break }
        }
        return count >= 0 ? Array(buffer[0..<count]) : nil
    }

    /// The next datagram and the address it came from ("127.0.0.2", "::1"), or nil on timeout.
    func receiveWithSource() -> (bytes: [UInt8], source: String, port: UInt16)? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let count = buffer.withUnsafeMutableBytes { raw in
            withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, raw.baseAddress, raw.count, 0, $0, &length) }
            }
        }
        guard count >= 0 else { return nil }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let port = withUnsafeBytes(of: &address) { UInt16(bigEndian: $0.loadUnaligned(fromByteOffset: 2, as: UInt16.self)) }
        let family = Int32(address.ss_family)
        withUnsafeBytes(of: &address) { raw in
            _ = inet_ntop(family, raw.baseAddress! + (ipv6 ? 8 : 4), &text, socklen_t(text.count))
        }
        return (Array(buffer[0..<count]), String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), port)
    }

    func transaction() -> UInt32 {
        defer { nextTransaction &+= 1 }
        return nextTransaction
    }

    /// Connects and keeps the connection ID for later requests.
    @discardableResult
    func connect() throws -> UInt64 {
        let tid = transaction()
        send(Wire.connectRequest(transactionID: tid))
        guard let reply = receive() else { throw TestFailure("no connect reply (errno \(lastErrno))") }
        guard reply.count == 16, Wire.u32(reply, 0) == 0, Wire.u32(reply, 4) == tid else {
            throw TestFailure("bad connect reply \(reply)")
        }
        connectionID = Wire.u64(reply, 8)
        return connectionID
    }

    func announce(
        _ infoHash: [UInt8], port: UInt16, left: UInt64, event: UInt32 = 0, numWant: Int32 = 50
    ) throws -> AnnounceReply {
        let tid = transaction()
        send(Wire.announceRequest(
            connectionID: connectionID, transactionID: tid, infoHash: infoHash, left: left, event: event,
            numWant: numWant, port: port))
        guard let reply = receive() else { throw TestFailure("no announce reply (errno \(lastErrno))") }
        guard reply.count >= 20, Wire.u32(reply, 0) == 1, Wire.u32(reply, 4) == tid else {
            throw TestFailure("bad announce reply \(reply.prefix(40))")
        }
        return AnnounceReply(bytes: reply, ipv6: ipv6)
    }

    func scrape(_ hashes: [[UInt8]]) throws -> [(seeders: UInt32, completed: UInt32, leechers: UInt32)] {
        let tid = transaction()
        send(Wire.scrapeRequest(connectionID: connectionID, transactionID: tid, hashes: hashes))
        guard let reply = receive(), reply.count >= 8, Wire.u32(reply, 0) == 2, Wire.u32(reply, 4) == tid else {
            throw TestFailure("bad scrape reply")
        }
        return stride(from: 8, to: reply.count, by: 12).map {
            (Wire.u32(reply, $0), Wire.u32(reply, $0 + 4), Wire.u32(reply, $0 + 8))
        }
    }

    private static func fill(_ storage: inout sockaddr_storage, host: String, port: UInt16, ipv6: Bool) throws -> socklen_t {
        try withUnsafeMutableBytes(of: &storage) { raw in
            if ipv6 {
                var address = sockaddr_in6()
                address.sin6_family = sa_family_t(AF_INET6)
                address.sin6_port = port.bigEndian
                guard inet_pton(AF_INET6, host, &address.sin6_addr) == 1 else { throw TestFailure("bad v6 \(host)") }
                raw.storeBytes(of: address, as: sockaddr_in6.self)
                return socklen_t(MemoryLayout<sockaddr_in6>.size)
            }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else { throw TestFailure("bad v4 \(host)") }
            raw.storeBytes(of: address, as: sockaddr_in.self)
            return socklen_t(MemoryLayout<sockaddr_in>.size)
        }
    }
}

struct AnnounceReply {
    let interval: UInt32
    let leechers: UInt32
    let seeders: UInt32
    /// (address bytes, port) of each returned peer.
    let peers: [([UInt8], UInt16)]

    init(bytes: [UInt8], ipv6: Bool) {
        interval = Wire.u32(bytes, 8)
        leechers = Wire.u32(bytes, 12)
        seeders = Wire.u32(bytes, 16)
        let size = ipv6 ? 18 : 6
        peers = stride(from: 20, to: bytes.count - size + 1, by: size).map {
            (Array(bytes[$0..<$0 + size - 2]), UInt16(bytes[$0 + size - 2]) << 8 | UInt16(bytes[$0 + size - 1]))
        }
    }

    var ports: Set<UInt16> { Set(peers.map(\.1)) }
}

/// BEP 15 requests built field by field, independent of the module under test.
enum Wire {
    static func u32(_ b: [UInt8], _ o: Int) -> UInt32 { b[o..<o + 4].reduce(0) { $0 << 8 | UInt32($1) } }
    static func u64(_ b: [UInt8], _ o: Int) -> UInt64 { b[o..<o + 8].reduce(0) { $0 << 8 | UInt64($1) } }
    static func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<MemoryLayout<T>.size).reversed().map { UInt8(truncatingIfNeeded: v >> ($0 * 8)) }
    }

    static func connectRequest(transactionID: UInt32) -> [UInt8] {
        be(UInt64(0x41727101980)) + be(UInt32(0)) + be(transactionID)
    }

    static func announceRequest(
        connectionID: UInt64, transactionID: UInt32, infoHash: [UInt8], left: UInt64, event: UInt32,
        numWant: Int32, port: UInt16
    ) -> [UInt8] {
        be(connectionID) + be(UInt32(1)) + be(transactionID) + infoHash + Array("-RT0001-123456789012".utf8)
            + be(UInt64(0)) + be(left) + be(UInt64(0)) + be(event) + be(UInt32(0)) + be(UInt32(7))
            + be(numWant) + be(port)
    }

    static func scrapeRequest(connectionID: UInt64, transactionID: UInt32, hashes: [[UInt8]]) -> [UInt8] {
        be(connectionID) + be(UInt32(2)) + be(transactionID) + hashes.flatMap { $0 }
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
