#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

@Suite("SocketAddress")
struct SocketAddressTests {
    @Test("Well-formed IPv4 and IPv6 addresses parse and print back unchanged",
          arguments: ["0.0.0.0:6969", "127.0.0.1:0", "[::]:6969", "[::1]:7000", "10.1.2.3:65535", "[2001:db8::1]:80"])
    func roundTrip(_ text: String) throws {
        let address = try SocketAddress(parsing: text)
        #expect(address.description == text)
    }

    @Test("Family, port and isIPv6 reflect the parsed text")
    func fields() throws {
        let v4 = try SocketAddress(parsing: "127.0.0.1:6969")
        #expect(v4.family == AF_INET)
        #expect(v4.port == 6969)
        #expect(!v4.isIPv6)
        let v6 = try SocketAddress(parsing: "[::1]:7000")
        #expect(v6.family == AF_INET6)
        #expect(v6.port == 7000)
        #expect(v6.isIPv6)
    }

    @Test("Garbage is rejected with a message naming the input",
          arguments: ["", "6969", "127.0.0.1", "127.0.0.1:", "127.0.0.1:70000", "127.0.0.1:-1", "127.0.0.1:+80",
                      "1.2.3:80", "::1:80", "[::1]80", "[::1", "[zz::1]:80", "localhost:80", ":80", "[]:80",
                      "256.0.0.1:80", "127.0.0.1:8 0"])
    func rejectsGarbage(_ text: String) {
        #expect {
            _ = try SocketAddress(parsing: text)
        } throws: { error in
            guard let error = error as? SocketAddressParseError else { return false }
            return error.description.contains("\"\(text)\"") && !error.reason.isEmpty
        }
    }

    @Test("A SystemError reads like 'call: strerror'")
    func systemErrorDescription() {
        #expect(SystemError(errno: EADDRINUSE, call: "bind").description == "bind: Address already in use")
    }
}
