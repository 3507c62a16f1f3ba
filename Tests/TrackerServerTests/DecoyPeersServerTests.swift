import Logging
import Testing
import TrackerCore
@testable import TrackerServer

@Suite("Decoy peers, configuration and counting")
struct DecoyPeersServerTests {
    @Test("decoy-peers needs a decoy-range, ranges must be narrow, 50 % is the ceiling")
    func settings() throws {
        var settings = DaemonSettings()
        try settings.apply(.decoyPeers, "20")
        #expect(throws: SettingError.self) { try settings.validate() }
        try settings.apply(.decoyRange, "198.51.100.0/24")
        #expect(throws: Never.self) { try settings.validate() }
        #expect(throws: SettingError.self) { try settings.apply(.decoyRange, "0.0.0.0/0") }
        #expect(throws: SettingError.self) { try settings.apply(.decoyRange, "2000::/3") }
        #expect(throws: SettingError.self) { try settings.apply(.decoyPeers, "51") }
        let policy = try ServerConfiguration(settings: settings, asRoot: false, startDirectory: "/").tracker.decoys
        #expect(policy.percent == 20 && policy.ipv4 == [.init(network: 0xC633_6400, prefixLength: 24)])
        var rangeOnly = DaemonSettings()
        try rangeOnly.apply(.decoyRange, "198.51.100.0/24")
        #expect(throws: SettingError.self) { try rangeOnly.validate() }
        #expect(DaemonSettings().decoyPolicy == .off)
    }

    @Test("HTTP announces get decoys from the range, and /metrics counts them")
    func httpCounted() throws {
        var decoyConfiguration = TrackerConfiguration(shardCount: 16)
        decoyConfiguration.decoys = DecoyPolicy(percent: 50, ipv4: [.init(network: 0xC633_6400, prefixLength: 24)], ipv6: [])
        let store = TorrentStore(configuration: decoyConfiguration)
        let front = HTTPFront(
            configuration: HTTPConfiguration(listeners: ["127.0.0.1:0"], eventLoopCPUs: [0], pinEventLoops: false),
            store: store, statistics: TrackerStatisticsSource(), access: nil, logger: Logger(label: "decoy-test"))
        let address = try front.start()[0]
        defer { front.stop() }
        for port in 1...4 { _ = try HTTPTestClient(address: address).get(announcePath(hashBytes(91), port: port, left: 0)) }
        let reply = try HTTPTestClient(address: address).get(announcePath(hashBytes(91), port: 5, left: 9))
        let peers = try #require(bencodedString(reply.body, key: "peers"))
        #expect(peers.count == 8 * 6, "4 real peers and 4 decoys (50 %)")
        #expect(peers[(4 * 6)...].enumerated().filter { $0.offset % 6 == 0 }.allSatisfy { $0.element == 198 })
        #expect(reply.text.contains("8:completei4e"), "decoys are not counted")
        let metrics = try HTTPTestClient(address: address).get("/metrics").text
        // Announces 2…5 saw 1, 2, 3 and 4 real peers: 1 + 2 + 3 + 4 decoys.
        #expect(metrics.contains(#"ringtracker_decoy_peers_total{protocol="http"} 10"#))
    }
}
