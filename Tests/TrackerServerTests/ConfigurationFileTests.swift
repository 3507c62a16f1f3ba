import Testing
import TrackerCore
import TrackerIO
@testable import TrackerServer

/// An operator's opentracker.conf, modelled on opentracker.conf.sample: its comments, its
/// directives uncommented, its odd spacing ("tracker.user    nobody").
private let opentrackerConf = """
    # opentracker config file
    #

    # I)   Address opentracker will listen on, using both, tcp AND udp family
    #      (note, that port 6969 is implicit if omitted).
    #
    listen.udp.workers 4
    #
    listen.tcp_udp 0.0.0.0
    listen.tcp_udp 192.168.0.1:80
    listen.tcp_udp 10.0.0.5:6969
    #
    #      To only listen on tcp or udp family ports, list them this way:
    #
    listen.tcp 0.0.0.0
    listen.udp 192.168.0.1:6969
    listen.udp [2001:db8::1]:6969
    listen.tcp ::1

    # II)  If opentracker runs in a non-open mode, point it to files containing
    #      all torrent hashes that it will serve (shell option -w)
    #
    access.whitelist /etc/opentracker/whitelist
    #
    # access.blacklist /path/to/blacklist
    #
    #      IIb)
    access.stats 192.168.0.23
    access.stats 10.1.1.0/24
    #
    access.stats_path stats
    #
    access.proxy 10.0.1.23
    access.proxy 192.0.0.0/8
    #

    # III) Live sync uses udp multicast packets to keep a cluster of opentrackers
    livesync.cluster.listen 192.168.0.1:9696
    livesync.cluster.node_ip 192.168.0.4
    livesync.cluster.node_ip 192.168.0.5
    #
    batchsync.cluster.admin_ip 10.1.1.1
    #

    # V)   Control privilege drop behaviour.
    tracker.rootdir /usr/local/etc/opentracker
    #
    tracker.user    nobody
    #

    # VI)  opentracker can be told to answer to a "GET / HTTP"-request with a
    #      redirect to another location (shell option -r).
    #
    tracker.redirect_url https://your.tracker.local/
    """

private func parse(_ text: String, base: DaemonSettings = DaemonSettings()) throws -> DaemonSettings {
    try ConfigurationFile(parsing: text, fileName: "test.conf", base: base).settings
}

private func error(in text: String) -> ConfigurationError? {
    do {
        _ = try ConfigurationFile(parsing: text, fileName: "test.conf")
        return nil
    } catch {
        return error
    }
}

@Suite("opentracker.conf compatibility")
struct OpentrackerConfTests {
    @Test("opentracker's sample configuration parses unchanged")
    func sampleParses() throws {
        let file = try ConfigurationFile(parsing: opentrackerConf, fileName: "opentracker.conf")
        let settings = file.settings
        #expect(settings.udpListeners == ["0.0.0.0:6969", "192.168.0.1:80", "10.0.0.5:6969", "192.168.0.1:6969", "[2001:db8::1]:6969"])
        #expect(settings.httpListeners == ["0.0.0.0:6969", "192.168.0.1:80", "10.0.0.5:6969", "[::1]:6969"])
        #expect(settings.udpListenersNamed && settings.httpListenersNamed)
        #expect(settings.udpWorkers == 4)
        #expect(settings.whitelist == "/etc/opentracker/whitelist")
        #expect(settings.accessMode == .whitelist)
        #expect(settings.statsAllow.map(\.description) == ["192.168.0.23/32", "10.1.1.0/24"])
        #expect(settings.statsPath == "stats")
        #expect(settings.trustedProxies.map(\.description) == ["10.0.1.23/32", "192.0.0.0/8"])
        #expect(settings.livesyncListen == "192.168.0.1:9696")
        #expect(settings.livesyncNodes.count == 2)
        #expect(settings.chroot == "/usr/local/etc/opentracker")
        #expect(settings.user == "nobody")
        #expect(settings.redirectURL == "https://your.tracker.local/")
        // livesync lines are live now (cluster sync); only batchsync is warned about.
        #expect(file.warnings.count == 1, "batchsync only: \(file.warnings)")
        #expect(!file.warnings.contains { $0.contains("livesync") })
    }

    @Test("Every opentracker address form is normalised to HOST:PORT, 6969 when no port is given")
    func addressForms() {
        #expect(ListenAddress.normalise("1.2.3.4") == "1.2.3.4:6969")
        #expect(ListenAddress.normalise("1.2.3.4:80") == "1.2.3.4:80")
        #expect(ListenAddress.normalise("[::1]:80") == "[::1]:80")
        #expect(ListenAddress.normalise("[::1]") == "[::1]:6969")
        #expect(ListenAddress.normalise("::1") == "[::1]:6969")
        #expect(ListenAddress.normalise("::") == "[::]:6969")
        #expect(ListenAddress.normalise("2001:DB8:0:0::1.80") == "[2001:db8::1]:80")
        #expect(ListenAddress.normalise("::ffff:10.0.0.1") == "[::ffff:10.0.0.1]:6969")
        #expect(ListenAddress.normalise("1.2.3.4:70000") == nil)
        #expect(ListenAddress.normalise("256.1.1.1") == nil)
        #expect(ListenAddress.normalise("tracker.example.org:6969") == nil)
        #expect(ListenAddress.normalise("[::1]80") == nil)
    }

    @Test("Each opentracker directive sets its option")
    func everyDirective() throws {
        let cases: [(String, (DaemonSettings) -> Bool)] = [
            ("listen.tcp_udp 127.0.0.1:7000", { $0.udpListeners == ["127.0.0.1:7000"] && $0.httpListeners == ["127.0.0.1:7000"] }),
            ("listen.tcp 127.0.0.1", { $0.httpListeners == ["127.0.0.1:6969"] && !$0.udpListenersNamed }),
            ("listen.udp [::1]:7000", { $0.udpListeners == ["[::1]:7000"] && !$0.httpListenersNamed }),
            ("listen.udp.workers 0", { $0.udpWorkers == nil }),
            ("listen.udp.workers 2", { $0.udpWorkers == 2 }),
            ("tracker.rootdir /srv/tracker", { $0.chroot == "/srv/tracker" }),
            ("tracker.user tracker", { $0.user == "tracker" }),
            ("tracker.redirect_url http://example.org/#about", { $0.redirectURL == "http://example.org/#about" }),
            ("access.whitelist /etc/white", { $0.whitelist == "/etc/white" && $0.accessMode == .whitelist }),
            ("access.blacklist /etc/black", { $0.blacklist == "/etc/black" && $0.accessMode == .blacklist }),
            ("access.stats ::1", { $0.statsAllow.map(\.description) == ["::1/128"] }),
            ("access.stats_path /secret", { $0.statsPath == "secret" }),
            ("access.proxy fd00::/8", { $0.trustedProxies.map(\.description) == ["fd00::/8"] }),
            ("livesync.cluster.listen 10.0.0.1", { $0.livesyncListen == "10.0.0.1:9696" }),
            ("livesync.cluster.node_ip 10.0.0.0/24", { $0.livesyncNodes.map(\.description) == ["10.0.0.0/24"] }),
        ]
        for (line, check) in cases {
            let settings = try parse(line)
            #expect(check(settings), "\(line)")
        }
    }

    @Test("Every ringtracker key parses, and the effective configuration reads back to the same settings")
    func everyRingTrackerKey() throws {
        let text = """
            ringtracker.udp 127.0.0.1:7000
            ringtracker.udp [::1]:7000
            ringtracker.http 127.0.0.1:8080
            ringtracker.cpus 0-3,6
            ringtracker.pin no
            ringtracker.io-backend mmsg
            ringtracker.udp-workers 3
            ringtracker.interval 900
            ringtracker.peer-timeout 1800
            ringtracker.log-level debug
            ringtracker.blacklist /var/lib/ringtracker/blacklist
            ringtracker.user ringtracker
            ringtracker.chroot /var/lib/ringtracker
            ringtracker.redirect-url https://example.org/
            ringtracker.stats-allow 10.0.0.0/8
            ringtracker.stats-path tracker-stats
            ringtracker.trusted-proxy 192.168.1.1
            ringtracker.state-file /var/lib/ringtracker/state
            ringtracker.snapshot-interval 120
            ringtracker.full-scrape-interval 30
            ringtracker.metrics-public yes
            ringtracker.livesync-listen 10.0.0.1:9000
            ringtracker.livesync-node 10.0.0.2
            ringtracker.cluster-allow 10.0.0.3
            ringtracker.cluster-node 10.0.0.2:9000
            ringtracker.cluster-key /etc/ringtracker/cluster.key
            ringtracker.cluster-insecure yes
            ringtracker.cluster-flush-delay 0.5
            ringtracker.cluster-multicast6 eth1
            ringtracker.connection-id-key /etc/ringtracker/connid.key
            ringtracker.cluster-state-from 10.0.0.2:6969
            """
        let settings = try parse(text)
        #expect(settings.udpListeners == ["127.0.0.1:7000", "[::1]:7000"])
        #expect(settings.httpListeners == ["127.0.0.1:8080"])
        #expect(settings.cpus == "0-3,6")
        #expect(!settings.pin)
        #expect(settings.ioBackend == "mmsg")
        #expect(settings.udpWorkers == 3)
        #expect(settings.interval == 900)
        #expect(settings.peerTimeout == 1800)
        #expect(settings.logLevel == "debug")
        #expect(settings.accessMode == .blacklist)
        #expect(settings.user == "ringtracker")
        #expect(settings.chroot == "/var/lib/ringtracker")
        #expect(settings.redirectURL == "https://example.org/")
        #expect(settings.statsAllow.map(\.description) == ["10.0.0.0/8"])
        #expect(settings.statsPath == "tracker-stats")
        #expect(settings.trustedProxies.map(\.description) == ["192.168.1.1/32"])
        #expect(settings.stateFile == "/var/lib/ringtracker/state")
        #expect(settings.snapshotInterval == 120)
        #expect(settings.fullScrapeInterval == 30)
        #expect(settings.metricsPublic)
        #expect(settings.livesyncListen == "10.0.0.1:9000")
        #expect(settings.livesyncNodes.map(\.description) == ["10.0.0.2/32", "10.0.0.3/32"])
        #expect(settings.clusterNodes == ["10.0.0.2:9000"])
        #expect(settings.clusterKey == "/etc/ringtracker/cluster.key" && settings.clusterInsecure)
        #expect(settings.clusterFlushDelay == 0.5 && settings.clusterMulticast6 == "eth1")
        #expect(settings.connectionIDKey == "/etc/ringtracker/connid.key")
        #expect(throws: Never.self) { try settings.validate() }

        let description = settings.effectiveDescription()
        for key in SettingKey.allCases {
            #expect(description.contains(key.configKey), "\(key.configKey) listed")
        }
        #expect(try parse(description) == settings)
    }

    @Test("The default configuration describes every default and reads back")
    func defaultsDescribed() throws {
        let defaults = DaemonSettings()
        let description = defaults.effectiveDescription()
        #expect(description.contains("ringtracker.udp 0.0.0.0:6969   # default"))
        #expect(description.contains("ringtracker.interval 1800"))
        #expect(description.contains("ringtracker.stats-allow 127.0.0.0/8"))
        #expect(description.contains("# ringtracker.whitelist (not set"))
        var reread = try parse(description)
        reread.udpListenersNamed = false
        reread.httpListenersNamed = false
        reread.statsAllowNamed = false
        #expect(reread == defaults)
    }

    @Test("ringtracker.no-pin is the file form of --no-pin")
    func noPin() throws {
        #expect(try !parse("ringtracker.no-pin yes").pin)
        #expect(try parse("ringtracker.no-pin no").pin)
    }
}

@Suite("Configuration errors")
struct ConfigurationErrorTests {
    @Test("An unknown key is an error naming the file, line and key")
    func unknownKey() {
        let failure = error(in: "# comment\n\nlisten.udp 127.0.0.1\nlisten.upd 127.0.0.1\n")
        #expect(failure?.description == "test.conf:4: unknown key 'listen.upd'")
        #expect(error(in: "ringtracker.peer_timeout 100")?.line == 1)
        #expect(error(in: "ringtracker.bogus 1") != nil)
    }

    @Test("Bad values report the line they are on")
    func badValues() {
        let cases: [(String, String)] = [
            ("listen.udp 1.2.3.4:99999", "listen.udp: '1.2.3.4:99999' is not an address"),
            ("listen.tcp_udp localhost", "listen.tcp_udp: 'localhost' is not an address"),
            ("access.stats 10.0.0.0/33", "access.stats: '10.0.0.0/33' is not an address or network"),
            ("access.proxy 10.0.0.0/", "access.proxy: '10.0.0.0/' is not"),
            ("ringtracker.interval soon", "ringtracker.interval: 'soon' is not a whole number"),
            ("ringtracker.interval 10", "ringtracker.interval: 10 is outside 60...86400"),
            ("listen.udp.workers -1", "listen.udp.workers: '-1' is not a whole number"),
            ("ringtracker.io-backend epoll", "ringtracker.io-backend: 'epoll' is not one of"),
            ("ringtracker.log-level loud", "ringtracker.log-level: 'loud' is not one of"),
            ("ringtracker.pin maybe", "ringtracker.pin: 'maybe' is not yes or no"),
            ("ringtracker.cpus 3-1", "ringtracker.cpus: '3-1' is not a CPU list"),
            ("tracker.user", "tracker.user: missing value"),
            ("tracker.user   # only a comment", "tracker.user: missing value"),
        ]
        for (line, message) in cases {
            let failure = error(in: "# header\n\(line)\n")
            #expect(failure?.line == 2, "\(line)")
            #expect(failure?.file == "test.conf")
            #expect(failure?.message.hasPrefix(message) == true, "\(line) → \(failure?.message ?? "no error")")
        }
    }

    @Test("A whitelist and a blacklist together are an error at the second one")
    func bothLists() {
        let failure = error(in: "access.whitelist /etc/white\n# note\naccess.blacklist /etc/black\n")
        #expect(failure?.line == 3)
        #expect(failure?.message.contains("choose one") == true)
    }

    @Test("Comments, blank lines, tabs and CRLF line endings are accepted")
    func layout() throws {
        let settings = try parse("  # indented comment\r\n\r\n\tlisten.udp\t127.0.0.1:7000   # trailing\r\n")
        #expect(settings.udpListeners == ["127.0.0.1:7000"])
        #expect(error(in: "ringtracker.interval 600#x")?.message.contains("'600#x'") == true)
    }

    @Test("LF, CRLF and lone CR line endings each give the same settings and line numbers")
    func lineEndings() throws {
        for ending in ["\n", "\r\n", "\r"] {
            let text = ["# header", "listen.udp 127.0.0.1:7000", "ringtracker.interval 900", "ringtracker.peer-timeout 3000"]
                .joined(separator: ending) + ending
            let settings = try parse(text)
            #expect(settings.udpListeners == ["127.0.0.1:7000"], "\(ending.utf8.map { $0 })")
            #expect(settings.interval == 900)
            #expect(settings.peerTimeout == 3000)
            #expect(error(in: "# header\(ending)\(ending)ringtracker.interval soon\(ending)")?.line == 3)
        }
    }

    @Test("Keys and values split at a space or tab scalar, so a value that starts with a combining mark prints and reads back")
    func combiningMarks() throws {
        // Found by the config fuzz target: "tracker.user<TAB><U+0301>abc" read as user "\u{301}abc", but
        // its effective configuration "tracker.user \u{301}abc" read back as one unknown key, because
        // a space and a combining mark form one Character.
        for separator in ["\t", " ", "  \t"] {
            let settings = try parse("tracker.user\(separator)\u{301}abc\n")
            #expect(settings.user == "\u{301}abc")
            let reread = try ConfigurationFile(parsing: settings.effectiveDescription(), fileName: "effective").settings
            #expect(reread.user == "\u{301}abc")
        }
        // A mark at the end of a value stays with it; a '#' after a space scalar starts a comment.
        #expect(try parse("tracker.user nobody\u{301} # note\n").user == "nobody\u{301}")
    }

    @Test("Errors quote a short, escaped excerpt: no 10 MB echo, no raw ESC, CR or NUL (issue 12, finding 6)")
    func escapedExcerpts() throws {
        let huge = String(repeating: "x", count: 10_000_000)
        for line in ["ringtracker.interval \(huge)", "\(huge) 1", "listen.udp \(huge)"] {
            let failure = try #require(error(in: line))
            #expect(failure.description.utf8.count < 300, "\(failure.description.prefix(200))")
            #expect(failure.description.contains("10000"), "the length is named: \(failure.description.prefix(200))")
        }
        let hostile = ["ringtracker.interval 1\u{1B}[2J\u{1B}[31m", "listen.udp 1.2.3.4:1\r\u{0}evil", "bogus\u{1B}]0;title\u{7} 1",
                       "ringtracker.log-level lou\u{0}d"]
        for line in hostile {
            let failure = try #require(error(in: line), "\(line.debugDescription)")
            let text = failure.description
            #expect(!text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(text.debugDescription)")
            #expect(text.contains("\\x1B") || text.contains("\\0") || text.contains("\\x07"), "\(text.debugDescription)")
        }
        // The excerpt still names what was wrong when it is short and printable.
        #expect(error(in: "ringtracker.io-backend epoll")?.message.contains("'epoll'") == true)
    }
}

@Suite("Command line over file")
struct CommandLineOverrideTests {
    @Test("A flag replaces the file's value, and a repeatable flag the file's whole list")
    func flagsOverride() throws {
        var settings = try parse("listen.udp 10.0.0.1\nlisten.udp 10.0.0.2\nringtracker.interval 900\naccess.whitelist /etc/white\n")
        try settings.applyCommandLine([
            (key: .udp, values: ["127.0.0.1:7000"]),
            (key: .interval, values: ["1200"]),
            (key: .blacklist, values: ["/etc/black"]),
            (key: .user, values: []),
        ])
        #expect(settings.udpListeners == ["127.0.0.1:7000"])
        #expect(settings.interval == 1200)
        #expect(settings.accessMode == .blacklist)
        #expect(settings.whitelist == nil)
    }

    @Test("--whitelist with --blacklist is an error")
    func bothFlags() {
        var settings = DaemonSettings()
        #expect(throws: SettingError.self) {
            try settings.applyCommandLine([(key: .whitelist, values: ["/a"]), (key: .blacklist, values: ["/b"])])
        }
    }

    @Test("A peer timeout not longer than the interval plus jitter fails validation")
    func timeoutVersusInterval() throws {
        var settings = DaemonSettings()
        try settings.apply(.interval, "3600")
        #expect(throws: SettingError.self) { try settings.validate() }
        try settings.apply(.peerTimeout, "5400")
        #expect(throws: Never.self) { try settings.validate() }
    }
}

@Suite("CIDR")
struct CIDRTests {
    private func v4(_ text: String) -> [UInt8] { text.split(separator: ".").compactMap { UInt8($0) } }

    @Test("IPv4 networks contain exactly their addresses")
    func ipv4() throws {
        let network = try #require(CIDR("10.0.0.0/8"))
        #expect(network.contains(v4("10.255.1.2")))
        #expect(!network.contains(v4("11.0.0.0")))
        #expect(network.contains(ipv4: 0x0A00_0001))
        let host = try #require(CIDR("192.168.0.23"))
        #expect(host.prefixLength == 32)
        #expect(host.contains(v4("192.168.0.23")))
        #expect(!host.contains(v4("192.168.0.24")))
        #expect(try #require(CIDR("0.0.0.0/0")).contains(v4("8.8.8.8")))
        #expect(try #require(CIDR("10.1.2.3/8")).description == "10.0.0.0/8")
        #expect(try #require(CIDR("172.16.0.0/12")).contains(v4("172.31.255.255")))
        #expect(try #require(CIDR("172.16.0.0/12")).contains(v4("172.32.0.0")) == false)
    }

    @Test("IPv6 networks contain exactly their addresses, and IPv4-mapped addresses match IPv4 networks")
    func ipv6() throws {
        let loopback = try #require(CIDR("::1/128"))
        #expect(loopback.contains([UInt8](repeating: 0, count: 15) + [1]))
        #expect(!loopback.contains([UInt8](repeating: 0, count: 15) + [2]))
        #expect(!loopback.contains([127, 0, 0, 1]), "families do not mix")
        let documentation = try #require(CIDR("2001:db8::/32"))
        #expect(documentation.contains(ipv6High: 0x2001_0DB8_FFFF_0000, low: 1))
        #expect(!documentation.contains(ipv6High: 0x2001_0DB9_0000_0000, low: 1))
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 127, 0, 0, 1]
        #expect(CIDR.ipv4Loopback.contains(mapped))
        #expect(try #require(CIDR("fe80::/10")).contains(ipv6High: 0xFEBF_0000_0000_0000, low: 0))
    }

    @Test("Malformed networks are rejected")
    func malformed() {
        for text in ["", "10.0.0", "10.0.0.0/", "10.0.0.0/33", "::1/129", "1::2::3", "12345::", "10.0.0.0/8/8", "a.b.c.d", "1.2.3.4 "] {
            #expect(CIDR(text) == nil, "\(text)")
        }
    }
}

@Suite("Shipped sample configuration")
struct SampleConfigurationTests {
    @Test("contrib/ringtracker.conf parses and validates")
    func contribSample() throws {
        // #filePath is …/Tests/TrackerServerTests/ConfigurationFileTests.swift.
        let root = String(#filePath).split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/")
        let path = root + "/contrib/ringtracker.conf"
        let text = try BoundedFile.text(of: path, limit: .max)
        let settings = try ConfigurationFile(parsing: text, fileName: path).settings
        try settings.validate()
        #expect(settings.interval == 1800)
        #expect(settings.accessMode == .open)
    }
}
