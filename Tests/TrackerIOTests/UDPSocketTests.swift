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

    @Test("The receive buffer is raised above the kernel default")
    func receiveBuffer() throws {
        let socket = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        // The default rmem is 212992 bytes (reported doubled); 8 MiB requested must beat it.
        #expect(try socket.receiveBufferSize() > 2 * 212_992)
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
        let probe = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let address = try probe.localAddress()
        _ = consume probe   // closes: the port is free again
        try UDPSocket.checkExclusive(address)
        let socket = try UDPSocket.bind(address, reusePort: true)
        #expect(try socket.localAddress() == address)
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
