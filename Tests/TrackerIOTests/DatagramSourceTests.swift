#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import TrackerIO

@Suite("DatagramSource")
struct DatagramSourceTests {
    @Test("the sockaddr offsets it reads are glibc's")
    func offsetsMatchTheHeaders() {
        #expect(MemoryLayout<sockaddr_in>.offset(of: \.sin_port) == DatagramSource.portOffset)
        #expect(MemoryLayout<sockaddr_in6>.offset(of: \.sin6_port) == DatagramSource.portOffset)
        #expect(MemoryLayout<sockaddr_in>.offset(of: \.sin_addr) == DatagramSource.ipv4Offset)
        #expect(MemoryLayout<sockaddr_in6>.offset(of: \.sin6_addr) == DatagramSource.ipv6Offset)
    }

    @Test("IPv4 and IPv6 sources decode to their numbers; a mapped address stays IPv6 here")
    func decodes() throws {
        #expect(DatagramSource(try SocketAddress(parsing: "10.1.2.3:6881")) == .v4(address: 0x0A01_0203, port: 6881))
        #expect(DatagramSource(try SocketAddress(parsing: "[2001:db8::7]:80"))
            == .v6(high: 0x2001_0DB8_0000_0000, low: 7, port: 80))
        #expect(DatagramSource(try SocketAddress(parsing: "[::ffff:1.2.3.4]:1"))
            == .v6(high: 0, low: 0xFFFF_0102_0304, port: 1))
    }
}
