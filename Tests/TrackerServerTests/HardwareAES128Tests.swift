import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

@Suite("AES-128 on the CPU's instructions")
struct HardwareAES128Tests {
    /// Bytes in order, as FIPS-197 prints them.
    func block(_ bytes: [UInt8]) -> Block128 { Block128(bytes: bytes) }

    @Test("This x86-64 machine has AES-NI, and the daemon's cipher uses it")
    func acceleratedHere() {
        #if arch(x86_64)
        // Every x86-64 server CPU since 2010 has AES-NI; CI's and this VM's EPYCs do. If one does
        // not, the software cipher runs (the next tests still compare it), and this says so.
        #expect(AESInstructions.available())
        #expect(HardwareAES128(key: .zero).accelerated == AESInstructions.available())
        #else
        #expect(!AESInstructions.available())
        #endif
    }

    @Test("FIPS-197's appendix C.1 example on the instructions")
    func fipsVector() {
        let cipher = HardwareAES128(key: block(Array(0...15)))
        let plain = block([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
        let expected = block([0x69, 0xC4, 0xE0, 0xD8, 0x6A, 0x7B, 0x04, 0x30, 0xD8, 0xCD, 0xB7, 0x80, 0x70, 0xB4, 0xC5, 0x5A])
        #expect(cipher.encrypt(plain) == expected)
        #expect(HardwareAES128(key: block(Array(0...15)), accelerated: false).encrypt(plain) == expected)
    }

    @Test("The instructions and the software cipher agree on 2,000 random keys and blocks")
    func agreesWithSoftware() {
        var rng = Xoshiro256(seed: 13)
        var mismatches = 0
        for _ in 0..<2_000 {
            let key = Block128(low: rng.next(), high: rng.next())
            let input = Block128(low: rng.next(), high: rng.next())
            let software = SoftwareAES128(key: key).encrypt(input)
            if HardwareAES128(key: key).encrypt(input) != software { mismatches += 1 }
            if HardwareAES128(key: key, accelerated: false).encrypt(input) != software { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("The daemon's connection IDs are the software generator's, so mixed-CPU cluster nodes agree")
    func idsAgreeAcrossCiphers() {
        let key: (UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)
        let daemon = TrackerConnectionIDs(key: key)
        let portable = SoftwareConnectionIDGenerator(key: key)
        let now: UInt32 = 1_800_000_000
        let addresses: [PeerAddress] = [
            .v4(IPv4Address(203, 0, 113, 5)), .v4(IPv4Address(127, 0, 0, 1)),
            .v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 5)), .v6(IPv6Address(high: 0, low: 1)),
        ]
        for address in addresses {
            let id = daemon.make(for: address, now: now)
            #expect(id == portable.make(for: address, now: now))
            #expect(portable.isValid(id, for: address, now: now + 120))
            #expect(daemon.isValid(portable.make(for: address, now: now), for: address, now: now))
        }
    }
}
