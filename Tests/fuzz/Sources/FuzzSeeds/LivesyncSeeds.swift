import FuzzSupport
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

/// Sync datagrams built as a node sends them, after FuzzLivesync's 8 control bytes (flags, skew,
/// sequence, flip position). The signed one comes from the cluster sender with the target's key at
/// the target's clock, so the target's keyed receiver accepts it.
enum LivesyncSeeds {
    static func all() -> [(String, [UInt8])] {
        let hash = InfoHash(bytes: [UInt8](repeating: 0x5A, count: 20))
        var v4 = LivesyncPacketBuilder(trackerID: 0x1111_2222, ipv6: false, signed: false)
        v4.append(LivesyncEntry(infoHash: hash, endpoint: .v4(IPv4Address(192, 0, 2, 1), port: 6881), flags: .seeding))
        v4.append(LivesyncEntry(infoHash: hash, endpoint: .v4(IPv4Address(192, 0, 2, 2), port: 6882), flags: []))
        var v6 = LivesyncPacketBuilder(trackerID: 0x3333_4444, ipv6: true, signed: false)
        v6.append(LivesyncEntry(infoHash: hash, endpoint: .v6(IPv6Address(high: 0x2001_0DB8 << 32, low: 1), port: 51413),
                                flags: [.seeding, .completed]))
        v6.append(LivesyncEntry(infoHash: hash, endpoint: .v6(IPv6Address(high: 0x2001_0DB8 << 32, low: 2), port: 1),
                                flags: .stopped))
        let control: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 20]
        let insecure: [UInt8] = [1, 5, 0, 0, 0, 2, 0, 9]
        var sender = ClusterSender(trackerID: 0x5555_6666, authenticator: ClusterAuthenticator(keyBytes: FuzzFixtures.clusterKey), flushDelay: 1)
        var signed: [UInt8] = []
        sender.add(LivesyncEntry(infoHash: hash, endpoint: .v4(IPv4Address(192, 0, 2, 3), port: 6883), flags: .seeding),
                   clock: 0, wallClock: FuzzFixtures.clusterNow) { bytes, _ in signed = Array(bytes) }
        sender.flushDue(clock: 0, wallClock: FuzzFixtures.clusterNow, force: true) { bytes, _ in signed = Array(bytes) }
        return [
            ("livesync/peer4-signed", control + signed),
            ("livesync/peer4-unsigned", control + Array(v4.bytes[0..<v4.packetLength(signed: false)])),
            ("livesync/peer6-insecure", insecure + Array(v6.bytes[0..<v6.packetLength(signed: false)])),
            ("livesync/peer4-stray-bytes", insecure + Array(v4.bytes[0..<(v4.packetLength(signed: false) + 5)])),
        ]
    }
}
