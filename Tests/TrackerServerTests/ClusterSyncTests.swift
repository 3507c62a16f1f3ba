import Glibc
import Testing
import TrackerCore
import TrackerProtocol
@testable import TrackerServer

/// The sync sender and receiver without sockets: forged, unsigned, replayed, stale and malformed
/// packets are refused and counted; good ones reach the store.
@Suite("Cluster sync sender and receiver")
struct ClusterSyncTests {
    static let key: [UInt8] = Array("0123456789abcdef0123456789abcdef".utf8)
    static let node = PeerAddress.v4(IPv4Address(10, 0, 0, 2))
    static let now: UInt32 = 1_700_000_000
    static let allowAll = [CIDR("10.0.0.0/8")!, CIDR("fd00::/8")!]

    static func hash(_ n: UInt8) -> InfoHash { InfoHash(bytes: [UInt8](repeating: n, count: 20)) }

    static func makeReceiver(store: TorrentStore, statistics: ClusterStatistics, key: [UInt8]? = Self.key,
                             insecure: Bool = false) -> ClusterReceiver {
        ClusterReceiver(store: store, statistics: statistics, ownTrackerID: 1, allow: allowAll,
                        authenticator: key.map { ClusterAuthenticator(keyBytes: $0) }, insecure: insecure)
    }

    /// Packets a sender with `key` emits for `entries`, flushed at once.
    static func packets(_ entries: [LivesyncEntry], key: [UInt8]? = Self.key, trackerID: UInt32 = 2,
                        wallClock: UInt32 = Self.now) -> [[UInt8]] {
        var sender = ClusterSender(trackerID: trackerID, authenticator: key.map { ClusterAuthenticator(keyBytes: $0) }, flushDelay: 1)
        var out: [[UInt8]] = []
        for entry in entries { sender.add(entry, clock: 0, wallClock: wallClock) { bytes, _ in out.append(Array(bytes)) } }
        sender.flushDue(clock: 0, wallClock: wallClock, force: true) { bytes, _ in out.append(Array(bytes)) }
        return out
    }

    @Test("A signed packet is applied; the same packet again is a replay; a changed byte is a bad MAC")
    func signedReplayForged() throws {
        let store = TorrentStore()
        let statistics = ClusterStatistics()
        let receiver = Self.makeReceiver(store: store, statistics: statistics)
        let entry = LivesyncEntry(infoHash: Self.hash(1), endpoint: .v4(IPv4Address(192, 0, 2, 1), port: 6881), flags: .seeding)
        let packet = try #require(Self.packets([entry]).first)
        #expect(receiver.receive(packet[...], from: Self.node, sourceName: "a", now: Self.now) == 1)
        #expect(store.scrape(Self.hash(1)).seeders == 1)
        #expect(receiver.receive(packet[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.replayed) == 1)
        var forged = packet
        forged[8 + 20] ^= 0x01  // another peer address, same MAC
        #expect(receiver.receive(forged[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.badMAC) == 1)
        let wrongKey = try #require(Self.packets([entry], key: Array("another key, another cluster!!!!".utf8)).first)
        #expect(receiver.receive(wrongKey[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.badMAC) == 2)
        #expect(statistics.peersReceived.load(ordering: .relaxed) == 1)
    }

    @Test("Unsigned packets are refused unless insecure; stale, own and foreign-network packets are dropped")
    func unsignedStaleOwnForeign() throws {
        let store = TorrentStore()
        let statistics = ClusterStatistics()
        let receiver = Self.makeReceiver(store: store, statistics: statistics)
        let entry = LivesyncEntry(infoHash: Self.hash(2), endpoint: .v4(IPv4Address(192, 0, 2, 2), port: 1), flags: [])
        let unsigned = try #require(Self.packets([entry], key: nil).first)
        #expect(receiver.receive(unsigned[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.unsigned) == 1)
        let stale = try #require(Self.packets([entry], wallClock: Self.now - 31).first)
        #expect(receiver.receive(stale[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.stale) == 1)
        let own = try #require(Self.packets([entry], trackerID: 1).first)
        #expect(receiver.receive(own[...], from: Self.node, sourceName: "a", now: Self.now) == 0)
        #expect(statistics.dropped(.own) == 1)
        let good = try #require(Self.packets([entry]).first)
        #expect(receiver.receive(good[...], from: .v4(IPv4Address(192, 168, 0, 1)), sourceName: "b", now: Self.now) == 0)
        #expect(statistics.dropped(.notAllowed) == 1)
        #expect(store.scrape(Self.hash(2)).leechers == 0)

        let insecure = Self.makeReceiver(store: store, statistics: statistics, key: nil, insecure: true)
        #expect(insecure.receive(unsigned[...], from: Self.node, sourceName: "a", now: Self.now) == 1)
        #expect(store.scrape(Self.hash(2)).leechers == 1)
    }

    @Test("An opentracker-format packet written from the reference is accepted in insecure mode")
    func opentrackerPacketInsecure() {
        let store = TorrentStore()
        let statistics = ClusterStatistics()
        let receiver = Self.makeReceiver(store: store, statistics: statistics, key: nil, insecure: true)
        // tracker_id (host order), PEER6 = 1, one 40-byte entry: hash, 2001:db8::7, port 6881, seeding, age 3.
        let packet: [UInt8] = [0xEF, 0xBE, 0xAD, 0xDE, 0, 0, 0, 1] + [UInt8](repeating: 9, count: 20)
            + [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [7] + [0x1A, 0xE1, 0x80, 3]
        #expect(receiver.receive(packet[...], from: Self.node, sourceName: "ot", now: Self.now) == 1)
        #expect(store.scrape(Self.hash(9)).seeders == 1)
        #expect(statistics.lastPacketAges(now: Self.now + 5).map(\.seconds) == [5])
    }

    @Test("Malformed packets of every length are ignored and counted, never trapping")
    func malformedEveryLength() {
        let store = TorrentStore()
        let statistics = ClusterStatistics()
        let receiver = Self.makeReceiver(store: store, statistics: statistics, key: nil, insecure: true)
        var total = 0
        for length in 0..<8 {
            total += receiver.receive([UInt8](repeating: 0, count: length)[...], from: Self.node, sourceName: "a", now: Self.now)
        }
        #expect(statistics.dropped(.tooShort) == 8)
        let unknown: [UInt8] = [0, 0, 0, 5, 0, 0, 0, 7] + [UInt8](repeating: 1, count: 28)
        total += receiver.receive(unknown[...], from: Self.node, sourceName: "a", now: Self.now)
        #expect(statistics.dropped(.unknownType) == 1)
        // One whole IPv4 entry and 20 stray bytes: the entry is applied, the stray bytes counted.
        let truncated: [UInt8] = [0, 0, 0, 5, 0, 0, 0, 0] + [UInt8](repeating: 3, count: 28 + 20)
        total += receiver.receive(truncated[...], from: Self.node, sourceName: "a", now: Self.now)
        #expect(statistics.dropped(.truncatedEntry) == 1)
        #expect(total == 1)
    }

    @Test("The sender batches per family, fills a packet before starting the next and flushes a partial one after the delay")
    func senderBatching() {
        let authenticator = ClusterAuthenticator(keyBytes: Self.key)
        var sender = ClusterSender(trackerID: 5, authenticator: authenticator, flushDelay: 1)
        var emitted: [(bytes: Int, entries: Int)] = []
        let emit: (ArraySlice<UInt8>, Int) -> Void = { bytes, entries in emitted.append((bytes.count, entries)) }
        let perPacket = LivesyncFormat.maxEntries(ipv6: false, signed: true)
        for n in 0..<(perPacket + 3) {
            sender.add(LivesyncEntry(infoHash: Self.hash(1), endpoint: .v4(IPv4Address(rawValue: UInt32(n)), port: 1), flags: []),
                       clock: 10, wallClock: Self.now, emit: emit)
        }
        sender.add(LivesyncEntry(infoHash: Self.hash(1), endpoint: .v6(IPv6Address(high: 1, low: 2), port: 1), flags: []),
                   clock: 10.5, wallClock: Self.now, emit: emit)
        #expect(emitted.map(\.entries) == [perPacket])
        #expect(emitted[0].bytes == 8 + 28 * perPacket + 24)
        sender.flushDue(clock: 10.9, wallClock: Self.now, emit: emit)
        #expect(emitted.count == 1)
        sender.flushDue(clock: 11.0, wallClock: Self.now, emit: emit)
        #expect(emitted.map(\.entries) == [perPacket, 3])
        sender.flushDue(clock: 11.5, wallClock: Self.now, emit: emit)
        #expect(emitted.map(\.entries) == [perPacket, 3, 1])
        #expect(emitted[2].bytes == 8 + 40 + 24)
    }

    @Test("The replay window accepts each sequence once, tolerates reordering within 64 and refuses older")
    func replayWindow() {
        var window = ReplayWindow()
        let results = [100, 100, 102, 101, 101, 200, 136, 137].map { window.accept(UInt32($0)) }
        #expect(results == [true, false, true, true, false, true, false, true])
    }

    @Test("The per-worker queue hands changes over in order and counts what a full ring drops")
    func syncQueue() {
        let queue = SyncQueue(capacity: 4)
        for n in 0..<6 {
            queue.push(LivesyncEntry(infoHash: Self.hash(UInt8(n)), endpoint: .v4(IPv4Address(rawValue: 1), port: 1), flags: []))
        }
        #expect(queue.overflows == 2)
        var seen: [InfoHash] = []
        #expect(queue.drain(limit: 10) { seen.append($0.infoHash) } == 4)
        #expect(seen == (0..<4).map { Self.hash(UInt8($0)) })
        #expect(queue.drain(limit: 10) { _ in } == 0)
    }
}

@Suite("Cluster settings and key files")
struct ClusterSettingsTests {
    @Test("Cluster sync without a key is refused unless --cluster-insecure is given")
    func keyOrInsecure() throws {
        var settings = DaemonSettings()
        settings.clusterNodes = ["10.0.0.2:9696"]
        #expect(throws: SettingError.self) { try settings.validate() }
        settings.clusterInsecure = true
        #expect(throws: Never.self) { try settings.validate() }
    }

    @Test("Key files are read as hex or raw bytes; short keys are refused with the file named")
    func keyFiles() throws {
        let directory = "/tmp/ringtracker-keys-\(getpid())"
        mkdir(directory, 0o700)
        defer { _ = unlink("\(directory)/id"); _ = unlink("\(directory)/short"); _ = rmdir(directory) }
        let hexKey = "00112233445566778899aabbccddeeff\n"
        FileManagerless.write(hexKey, to: "\(directory)/id")
        let key = try KeyFile.connectionIDKey("\(directory)/id")
        #expect(key.0 == 0x0011_2233_4455_6677 && key.1 == 0x8899_AABB_CCDD_EEFF)
        #expect(try KeyFile.clusterKey("\(directory)/id").count == 16)
        FileManagerless.write("short", to: "\(directory)/short")
        #expect(throws: StartupError.self) { try KeyFile.clusterKey("\(directory)/short") }
        #expect(throws: StartupError.self) { try KeyFile.connectionIDKey("\(directory)/missing") }
    }
}

/// A few lines of open/write so the test needs no Foundation.
enum FileManagerless {
    static func write(_ text: String, to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        close(fd)
    }
}
