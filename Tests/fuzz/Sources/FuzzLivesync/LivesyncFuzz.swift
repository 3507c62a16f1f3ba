import FuzzSupport
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

/// A cluster sync datagram (`LivesyncPacket`, opentracker's livesync format with RingTracker's MAC
/// trailer) through the parser and the receiver that applies it (`ClusterReceiver`).
///
/// Input: flags(1) clock skew(1, signed seconds) sequence(4) flip position(2), then the datagram
/// (at most `LivesyncFormat.receiveBufferSize` bytes, as the socket reads it). Flags: bit 0 the
/// receiver runs `--cluster-insecure` without a key (else it holds the cluster key), bit 1 the
/// datagram comes from an IPv6 node.
///
/// Checked: the parse accounts for every byte (header, whole entries, trailer, stray remainder);
/// every entry re-encodes to its bytes with the sender's builder; a keyed receiver applies a
/// packet only when its MAC is right and fresh, an insecure one every entry of a foreign tracker; the same entries signed with the key at the input's clock skew are applied exactly when
/// fresh, refused when replayed and refused with any byte flipped; the sender's own packets for
/// them parse back to the same entries and are accepted; the store's totals match its shards.
enum LivesyncFuzz {
    static let key = FuzzFixtures.clusterKey
    static let ownTrackerID: UInt32 = 0x0A0B_0C0D
    static let now = FuzzFixtures.clusterNow
    static let allow = [CIDR("10.0.0.0/8")!, CIDR("fd00::/8")!]

    static func run(_ input: FuzzReader) {
        var input = input
        let flags = input.byte()
        let skew = Int(Int8(bitPattern: input.byte()))
        let sequence = input.uint32()
        let flip = Int(input.uint16())
        let packet = Array(input.rest().prefix(LivesyncFormat.receiveBufferSize))
        let source: PeerAddress = flags & 2 != 0 ? .v6(IPv6Address(high: 0xFD00 << 48, low: 2)) : .v4(IPv4Address(10, 0, 0, 2))

        guard case .packet(let parsed) = LivesyncPacket.parse(packet.span) else {
            invariant(receiver(insecure: flags & 1 != 0).receive(packet[...], from: source, sourceName: "node", now: now) == 0,
                      "a dropped packet applied peers")
            return
        }
        let size = LivesyncFormat.entrySize(ipv6: parsed.isIPv6)
        let trailer = parsed.trailer == nil ? 0 : LivesyncFormat.trailerSize
        invariant(LivesyncFormat.headerSize + parsed.entryCount * size + trailer + parsed.strayBytes == packet.count,
                  "the parse does not account for all \(packet.count) bytes")
        invariant(parsed.strayBytes < size, "\(parsed.strayBytes) stray bytes, a whole entry or more")
        let entries = (0..<parsed.entryCount).map { parsed.entry(at: $0, in: packet.span) }
        for (index, entry) in entries.enumerated() {
            var builder = LivesyncPacketBuilder(trackerID: parsed.trackerID, ipv6: parsed.isIPv6, signed: false)
            invariant(builder.append(entry), "entry \(index) does not fit an empty packet of its family")
            let start = LivesyncFormat.headerSize + index * size
            // The last byte is the age, which the builder always writes as 0.
            invariant(builder.bytes[0..<(LivesyncFormat.headerSize + size - 1)]
                      .elementsEqual(packet[0..<LivesyncFormat.headerSize] + packet[start..<(start + size - 1)]),
                      "entry \(index) does not re-encode to its bytes")
        }

        let insecure = flags & 1 != 0
        let plain = receiver(insecure: insecure)
        let applied = plain.receive(packet[...], from: source, sourceName: "node", now: now)
        let foreign = parsed.trackerID != ownTrackerID
        // Signed with the key (a seed, or a packet the sender built): the MAC over everything before
        // it, recomputed here, and a timestamp within the window.
        var authentic = false
        if let trailer = parsed.trailer, !insecure {
            let mac = ClusterAuthenticator(keyBytes: key).mac(packet[0..<trailer.macOffset])
            authentic = packet[trailer.macOffset...].elementsEqual(mac) && isFresh(trailer.timestamp)
        }
        invariant(applied == (foreign && (insecure || authentic) ? parsed.entryCount : 0),
                  "\(applied) of \(parsed.entryCount) entries applied")
        StoreCensus.requireConsistentTotals(plain.store, "after the datagram")

        checkSigned(Array(packet[0..<(LivesyncFormat.headerSize + parsed.entryCount * size)]), parsed: parsed,
                    timestamp: UInt32(clamping: Int(now) + skew), sequence: sequence, flip: flip, source: source)
        checkSender(entries, trackerID: parsed.trackerID, source: source)
    }

    /// Within 30 s of now either way (docs/CLUSTER.md).
    static func isFresh(_ timestamp: UInt32) -> Bool { abs(Int(timestamp) - Int(now)) <= 30 }

    static func receiver(insecure: Bool) -> ClusterReceiver {
        ClusterReceiver(
            store: TorrentStore(configuration: FuzzFixtures.storeConfiguration, hashSeed: 0x5EED),
            statistics: ClusterStatistics(), ownTrackerID: ownTrackerID, allow: allow,
            authenticator: insecure ? nil : ClusterAuthenticator(keyBytes: key), insecure: insecure)
    }

    static func checkSigned(
        _ body: [UInt8], parsed: LivesyncPacket, timestamp: UInt32, sequence: UInt32, flip: Int, source: PeerAddress
    ) {
        var signed = body
        for value in [LivesyncFormat.trailerMagic, timestamp, sequence] {
            signed += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
        }
        signed += ClusterAuthenticator(keyBytes: key).mac(signed[...])
        let keyed = receiver(insecure: false)
        let accepted = parsed.trackerID != ownTrackerID && isFresh(timestamp)
        let applied = keyed.receive(signed[...], from: source, sourceName: "node", now: now)
        invariant(applied == (accepted ? parsed.entryCount : 0), "signed packet: \(applied) of \(parsed.entryCount) applied")
        invariant(keyed.receive(signed[...], from: source, sourceName: "node", now: now) == 0, "a replayed packet was applied")
        var flipped = signed
        flipped[flip % flipped.count] ^= 0x80
        invariant(keyed.receive(flipped[...], from: source, sourceName: "node", now: now) == 0,
                  "a packet with byte \(flip % flipped.count) flipped was applied")
        StoreCensus.requireConsistentTotals(keyed.store, "after the signed packets")
    }

    static func checkSender(_ entries: [LivesyncEntry], trackerID: UInt32, source: PeerAddress) {
        guard trackerID != ownTrackerID else { return }
        var sender = ClusterSender(trackerID: trackerID, authenticator: ClusterAuthenticator(keyBytes: key), flushDelay: 1)
        var packets: [[UInt8]] = []
        for entry in entries { sender.add(entry, clock: 0, wallClock: now) { bytes, _ in packets.append(Array(bytes)) } }
        sender.flushDue(clock: 0, wallClock: now, force: true) { bytes, _ in packets.append(Array(bytes)) }
        let keyed = receiver(insecure: false)
        var received: [LivesyncEntry] = []
        for packet in packets {
            invariant(packet.count <= LivesyncFormat.maxPacketSize, "the sender built a \(packet.count) B packet")
            guard case .packet(let parsed) = LivesyncPacket.parse(packet.span), parsed.trailer != nil, parsed.strayBytes == 0 else {
                return invariant(false, "the sender's packet does not parse as signed")
            }
            received += (0..<parsed.entryCount).map { parsed.entry(at: $0, in: packet.span) }
            invariant(keyed.receive(packet[...], from: source, sourceName: "node", now: now) == parsed.entryCount,
                      "the sender's packet was refused")
        }
        invariant(received == entries, "the sender's packets carry other entries")
        StoreCensus.requireConsistentTotals(keyed.store, "after the sender's packets")
    }
}
