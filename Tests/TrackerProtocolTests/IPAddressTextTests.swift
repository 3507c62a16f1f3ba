import Testing
import TrackerProtocol

@Suite("IP address text")
struct IPAddressTextTests {
    @Test("a dotted-quad tail is accepted only as the last two groups of an IPv6 address")
    func ipv4TailOnlyLast() {
        #expect(IPAddressText.ipv6Bytes("::ffff:1.2.3.4") == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 1, 2, 3, 4])
        #expect(IPAddressText.ipv6Bytes("1.2.3.4::1") == nil)
        #expect(HTTPAddressLiteral(parsing: Array("1.2.3.4::1".utf8)) == nil)
    }

    @Test("settings and HTTP values read the same addresses")
    func oneParser() {
        for text in ["10.9.8.7", "::1", "2001:db8::7", "::ffff:1.2.3.4", "1.2.3", "256.1.1.1", "1::2::3", "x"] {
            let literal = HTTPAddressLiteral(parsing: Array(text.utf8))
            let bytes = text.contains(":") ? IPAddressText.ipv6Bytes(text) : IPAddressText.ipv4Bytes(text)
            #expect((literal == nil) == (bytes == nil), "\(text)")
        }
        #expect(IPAddressText.mappedIPv4(high: 0, low: 0xFFFF_0102_0304) == 0x0102_0304)
        #expect(IPAddressText.mappedIPv4(high: 0, low: 1) == nil)
    }
}
