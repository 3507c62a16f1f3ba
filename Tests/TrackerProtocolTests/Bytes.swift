// Helpers that build packets field by field, in BEP 15's words, independently of the module's code.
import TrackerProtocol

func be64(_ value: UInt64) -> [UInt8] { (0..<8).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
func be32(_ value: UInt32) -> [UInt8] { (0..<4).reversed().map { UInt8(truncatingIfNeeded: value >> (8 * UInt32($0))) } }
func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xFF)] }

let protocolIDBytes = be64(0x417_2710_1980)
let sampleHashBytes: [UInt8] = (0..<20).map { UInt8($0 + 1) }            // 01 02 … 14
let samplePeerBytes: [UInt8] = Array("-RT0100-abcdefghijkl".utf8)         // Azureus-style peer_id

/// Runs `body` on a send buffer pre-filled with 0xEE and returns the bytes it claims to have written.
func written(capacity: Int = 1500, _ body: (inout MutableRawSpan) -> Int) -> [UInt8] {
    var buffer = [UInt8](repeating: 0xEE, count: capacity)
    let count = buffer.withUnsafeMutableBytes { raw in
        var span = raw.mutableBytes
        return body(&span)
    }
    return Array(buffer[..<count])
}

func parseRequest(_ packet: [UInt8]) -> UDPParseResult {
    UDPRequestParser.parse(packet.span)
}

func parseResponse(_ packet: [UInt8], ipv6: Bool = false) -> UDPResponse? {
    UDPResponseParser.parse(packet.span, ipv6: ipv6)
}

/// announce request built field by field (BEP 15 table).
func announceBytes(
    connectionID: UInt64 = 0x0123_4567_89AB_CDEF, transactionID: UInt32 = 0xCAFE_F00D,
    downloaded: UInt64 = 1_000, left: UInt64 = 2_000, uploaded: UInt64 = 3_000, event: UInt32 = 2,
    ip: UInt32 = 0, key: UInt32 = 0x1234_5678, numWant: Int32 = -1, port: UInt16 = 6881
) -> [UInt8] {
    be64(connectionID) + be32(1) + be32(transactionID) + sampleHashBytes + samplePeerBytes
        + be64(downloaded) + be64(left) + be64(uploaded) + be32(event) + be32(ip) + be32(key)
        + be32(UInt32(bitPattern: numWant)) + be16(port)
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
