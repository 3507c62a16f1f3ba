import Testing
import TrackerProtocol

@Suite("UDP limits")
struct UDPLimitsTests {
    @Test("num_want: negative means the default of 50, zero stays zero, and caps are 200 and 66")
    func clampNumWant() {
        #expect(UDPLimits.clampNumWant(-1, ipv6: false) == 50)
        #expect(UDPLimits.clampNumWant(.min, ipv6: false) == 50)
        #expect(UDPLimits.clampNumWant(-1, ipv6: true) == 50)
        #expect(UDPLimits.clampNumWant(0, ipv6: false) == 0)
        #expect(UDPLimits.clampNumWant(0, ipv6: true) == 0)
        #expect(UDPLimits.clampNumWant(30, ipv6: true) == 30)
        #expect(UDPLimits.clampNumWant(66, ipv6: true) == 66)
        #expect(UDPLimits.clampNumWant(67, ipv6: true) == 66)
        #expect(UDPLimits.clampNumWant(200, ipv6: false) == 200)
        #expect(UDPLimits.clampNumWant(201, ipv6: false) == 200)
        #expect(UDPLimits.clampNumWant(.max, ipv6: false) == 200)
    }

    @Test("the largest replies fit their datagram budgets")
    func replySizes() {
        #expect(20 + UDPLimits.maxPeersIPv4 * UDPLimits.peerSizeIPv4 == UDPLimits.maxResponseSize)
        // IPv6 minimum MTU 1,280 B minus 40 B IPv6 and 8 B UDP headers.
        #expect(20 + UDPLimits.maxPeersIPv6 * UDPLimits.peerSizeIPv6 <= 1280 - 48)
        #expect(20 + (UDPLimits.maxPeersIPv6 + 1) * UDPLimits.peerSizeIPv6 > 1232 - 18)
        #expect(8 + UDPLimits.maxScrapeHashes * 12 <= UDPLimits.maxResponseSize)
        #expect(UDPLimits.protocolID == 0x41727101980)
    }
}
