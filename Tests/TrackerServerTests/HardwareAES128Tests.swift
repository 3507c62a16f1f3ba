import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

@Suite("AES-128 on the CPU's instructions")
struct HardwareAES128Tests {
    static let fipsKey = Block128(bytes: Array(0...15))
    static let fipsPlain = Block128(bytes: [0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF])
    static let fipsCipher = Block128(bytes: [0x69, 0xC4, 0xE0, 0xD8, 0x6A, 0x7B, 0x04, 0x30, 0xD8, 0xCD, 0xB7, 0x80, 0x70, 0xB4, 0xC5, 0x5A])

    // Every x86-64 and arm64 server CPU of the last decade has the instructions (this VM's and
    // CI's EPYCs do); where they are missing these two show as skipped, and the software path's
    // tests below still run.
    @Test("FIPS-197's appendix C.1 example on the instructions", .enabled(if: AESInstructions.available()))
    func fipsVectorOnInstructions() {
        let cipher = HardwareAES128(key: Self.fipsKey)
        #expect(cipher.accelerated)
        #expect(cipher.encrypt(Self.fipsPlain) == Self.fipsCipher)
    }

    @Test("The instructions and the software cipher agree on 2,000 random keys and blocks",
          .enabled(if: AESInstructions.available()))
    func instructionsAgreeWithSoftware() {
        var rng = Xoshiro256(seed: 13)
        var mismatches = 0
        for _ in 0..<2_000 {
            let key = Block128(low: rng.next(), high: rng.next())
            let input = Block128(low: rng.next(), high: rng.next())
            let cipher = HardwareAES128(key: key)
            if cipher.encrypt(input) != SoftwareAES128(key: key).encrypt(input) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test("Without the instructions the daemon's cipher falls back to the software one")
    func softwareFallback() {
        let cipher = HardwareAES128(key: Self.fipsKey, accelerated: false)
        #expect(!cipher.accelerated)
        #expect(cipher.encrypt(Self.fipsPlain) == Self.fipsCipher)
    }

    @Test("The daemon's connection IDs are the portable generator's, so mixed-CPU cluster nodes agree")
    func idsAgreeAcrossCiphers() {
        let key: (UInt64, UInt64) = (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210)
        let daemon = TrackerConnectionIDs(key: key)
        let portable = SoftwareConnectionIDGenerator(key: key)
        let start: UInt32 = 1_700_000_040
        // Known answers from Python's cryptography package (ConnectionIDGeneratorTests).
        #expect(daemon.make(for: .v4(IPv4Address(203, 0, 113, 5)), now: start).rawValue == 0xE1A7_695F_56DA_CC83)
        #expect(daemon.make(for: .v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 5)), now: start).rawValue
                == 0xC605_3D0A_F62A_65C5)
        let addresses: [PeerAddress] = [
            .v4(IPv4Address(203, 0, 113, 5)), .v4(IPv4Address(127, 0, 0, 1)),
            .v6(IPv6Address(high: 0x2001_0DB8_0000_0001, low: 5)), .v6(IPv6Address(high: 0, low: 1)),
        ]
        for address in addresses {
            let id = daemon.make(for: address, now: start)
            #expect(id == portable.make(for: address, now: start))
            #expect(portable.isValid(id, for: address, now: start + 120))
            #expect(daemon.isValid(portable.make(for: address, now: start), for: address, now: start))
        }
    }
}
