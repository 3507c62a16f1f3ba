#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

@Suite("UDPSocket")
struct UDPSocketTests {
    @Test("Binding port 0 reports the real port the kernel chose")
    func localAddress() throws {
        let socket = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let address = try socket.localAddress()
        #expect(address.port != 0)
        #expect(address.description == "127.0.0.1:\(address.port)")
    }

    @Test("The receive buffer is what was asked for, or net.core.rmem_max without CAP_NET_ADMIN",
          arguments: [100_000, UDPSocket.defaultReceiveBuffer])
    func receiveBuffer(requested: Int) throws {
        let socket = try UDPSocket.bind(
            try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false, receiveBuffer: requested)
        let ceiling = try #require(Self.rmemMax(), "net.core.rmem_max is readable")
        // The kernel reports twice the value it keeps (socket(7)). SO_RCVBUFFORCE (root with
        // CAP_NET_ADMIN) sets it exactly; otherwise SO_RCVBUF is clamped to rmem_max.
        let size = try socket.receiveBufferSize()
        #expect(size == 2 * requested || size == 2 * min(requested, ceiling), "got \(size)")
    }

    /// /proc/sys/net/core/rmem_max, read with one bounded read.
    static func rmemMax() -> Int? {
        let fd = open("/proc/sys/net/core/rmem_max", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return Int(String(decoding: buffer.prefix(count).prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self))
    }

    @Test("checkExclusive fails with EADDRINUSE while a SO_REUSEPORT socket holds the port",
          arguments: ["127.0.0.1:0", "[::1]:0"])
    func exclusiveCheckDetectsHolder(_ text: String) throws {
        let holder = try UDPSocket.bind(try SocketAddress(parsing: text), reusePort: true)
        let bound = try holder.localAddress()
        #expect {
            try UDPSocket.checkExclusive(bound)
        } throws: { error in
            guard let error = error as? SystemError else { return false }
            return error.errno == EADDRINUSE && error.description == "bind: Address already in use"
        }
    }

    @Test("checkExclusive leaves the port free for the real SO_REUSEPORT bind")
    func exclusiveCheckReleasesPort() throws {
        // Between closing the probe and binding again, a process forked by a test running in
        // parallel can briefly hold a copy of the probe's descriptor (until its exec), or an
        // ephemeral bind elsewhere can take the port. Such a third party shows up as EADDRINUSE
        // on a *fresh* port each time; the property under test must hold on some port within a
        // few attempts, and a checkExclusive that kept the port busy would fail every one.
        var outcomes: [String] = []
        for _ in 0..<8 {
            let address = try Self.releasedPort()
            switch Self.checkThenBind(address) {
            case .success(let bound):
                #expect(bound == address)
                return
            case .failure(let error):
                try #require(error.errno == EADDRINUSE, "\(error)")
                outcomes.append("\(address): \(error)")
            }
        }
        Issue.record("every attempt failed: \(outcomes)")
    }

    /// checkExclusive, then the SO_REUSEPORT bind a listener makes; the address it bound.
    private static func checkThenBind(_ address: SocketAddress) -> Result<SocketAddress, SystemError> {
        Result { () throws(SystemError) -> SocketAddress in
            try UDPSocket.checkExclusive(address)
            let socket = try UDPSocket.bind(address, reusePort: true)
            return try socket.localAddress()
        }
    }

    /// A loopback port that was just bound and is closed again when this returns.
    private static func releasedPort() throws -> SocketAddress {
        let probe = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        return try probe.localAddress()
    }

    @Test("Two SO_REUSEPORT sockets of one process bind the same port",
          arguments: ["127.0.0.1:0", "[::1]:0"])
    func reusePortGroup(_ text: String) throws {
        let first = try UDPSocket.bind(try SocketAddress(parsing: text), reusePort: true)
        let address = try first.localAddress()
        let second = try UDPSocket.bind(address, reusePort: true)
        #expect(try second.localAddress() == address)
    }

    @Test("Without SO_REUSEPORT a second bind of the same port fails")
    func noReusePort() throws {
        let first = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let address = try first.localAddress()
        #expect(throws: SystemError(errno: EADDRINUSE, call: "bind")) {
            _ = try UDPSocket.bind(address, reusePort: true)
        }
    }
}
