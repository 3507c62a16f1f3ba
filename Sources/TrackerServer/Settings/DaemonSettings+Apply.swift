import TrackerCore
import TrackerIO

extension DaemonSettings {
    /// Applies one `key value` pair. Repeatable keys add an entry (the first named listener or
    /// stats network replaces the defaults); other keys replace the value.
    public mutating func apply(_ key: SettingKey, _ rawValue: String) throws(SettingError) {
        let value = rawValue.trimmingASCIIWhitespace()
        guard !value.isEmpty else { throw SettingError("\(key.rawValue): missing value") }
        switch key {
        case .udp:
            let address = try Self.listenAddress(value, key)
            if !udpListenersNamed { udpListeners = []; udpListenersNamed = true }
            if !udpListeners.contains(address) { udpListeners.append(address) }
        case .http:
            let address = try Self.listenAddress(value, key)
            if !httpListenersNamed { httpListeners = []; httpListenersNamed = true }
            if !httpListeners.contains(address) { httpListeners.append(address) }
        case .cpus:
            guard Self.isCPUList(value) else {
                throw SettingError("cpus: '\(value)' is not a CPU list such as 0 | 0,2 | 0-3")
            }
            cpus = value
        case .pin: pin = try Self.bool(value, key)
        case .ioBackend:
            guard Self.ioBackends.contains(value) else {
                throw SettingError("io-backend: '\(value)' is not one of \(Self.ioBackends.joined(separator: ", "))")
            }
            ioBackend = value
        case .udpWorkers:
            let count = try Self.number(value, key, in: 0...4096)
            udpWorkers = count == 0 ? nil : Int(count)
        case .interval: interval = try Self.number(value, key, in: 60...86_400)
        case .peerTimeout: peerTimeout = try Self.number(value, key, in: 60...604_800)
        case .logLevel:
            guard Self.logLevels.contains(value) else {
                throw SettingError("log-level: '\(value)' is not one of \(Self.logLevels.joined(separator: ", "))")
            }
            logLevel = value
        case .logFormat:
            guard Self.logFormats.contains(value) else {
                throw SettingError("log-format: '\(value)' is not one of \(Self.logFormats.joined(separator: ", "))")
            }
            logFormat = value
        case .whitelist:
            if blacklist != nil { throw SettingError("whitelist: a blacklist is already set; choose one") }
            whitelist = value
        case .blacklist:
            if whitelist != nil { throw SettingError("blacklist: a whitelist is already set; choose one") }
            blacklist = value
        case .user: user = try Self.word(value, key)
        case .chroot: chroot = value
        case .redirectURL: redirectURL = try Self.word(value, key)
        case .statsAllow:
            let network = try Self.cidr(value, key)
            if !statsAllowNamed { statsAllow = []; statsAllowNamed = true }
            if !statsAllow.contains(network) { statsAllow.append(network) }
        case .statsPath:
            var path = Substring(value)
            while path.hasPrefix("/") { path = path.dropFirst() }
            statsPath = try Self.word(String(path), key)
        case .trustedProxy:
            let network = try Self.cidr(value, key)
            if !trustedProxies.contains(network) { trustedProxies.append(network) }
        case .stateFile: stateFile = value
        case .snapshotInterval: snapshotInterval = try Self.number(value, key, in: 10...86_400)
        case .maxTorrents: maxTorrents = try Self.number(value, key, in: 0...1_000_000_000)
        case .maxPeersPerTorrent: maxPeersPerTorrent = try Self.number(value, key, in: 0...100_000_000)
        case .maxNewTorrentsPerMinute: maxNewTorrentsPerMinute = try Self.number(value, key, in: 0...100_000_000)
        case .maxMemory: maxMemoryMiB = value == "auto" ? nil : try Self.number(value, key, in: 0...16_777_216)
        case .fullScrapeInterval: fullScrapeInterval = try Self.number(value, key, in: 0...86_400)
        case .metricsPublic: metricsPublic = try Self.bool(value, key)
        case .livesyncListen:
            guard let address = ListenAddress.normalise(value, defaultPort: ListenAddress.livesyncPort) else {
                throw SettingError("livesync-listen: '\(value)' is not an address such as 192.168.0.1:9696")
            }
            livesyncListen = address
        case .livesyncNode, .clusterAllow:
            let network = try Self.cidr(value, key)
            if !livesyncNodes.contains(network) { livesyncNodes.append(network) }
        case .clusterNode:
            guard let address = ListenAddress.normalise(value, defaultPort: ListenAddress.livesyncPort) else {
                throw SettingError("cluster-node: '\(value)' is not an address such as 10.0.0.2:9696")
            }
            if !clusterNodes.contains(address) { clusterNodes.append(address) }
        case .clusterKey: clusterKey = value
        case .clusterInsecure: clusterInsecure = try Self.bool(value, key)
        case .clusterFlushDelay:
            guard let seconds = Double(value), seconds >= 0.01, seconds <= 60 else {
                throw SettingError("cluster-flush-delay: '\(value)' is not a number of seconds in 0.01...60")
            }
            clusterFlushDelay = seconds
        case .clusterMulticast6: clusterMulticast6 = try Self.word(value, key)
        case .connectionIDKey: connectionIDKey = value
        case .clusterStateFrom:
            guard let address = ListenAddress.normalise(value, defaultPort: 6969) else {
                throw SettingError("cluster-state-from: '\(value)' is not an address such as 10.0.0.2:6969")
            }
            clusterStateFrom = address
        case .importStatedump: importStatedump = value
        case .fifoAdd: fifoAdd = value
        case .fifoDelete: fifoDelete = value
        case .decoyPeers: decoyPeers = try Self.number(value, key, in: 0...UInt32(DecoyPolicy.maximumPercent))
        case .decoyRange:
            let network = try Self.cidr(value, key)
            let narrowest = network.family == .ipv4 ? 8 : 16
            guard network.prefixLength >= narrowest else {
                throw SettingError("decoy-range: \(network) is wider than /\(narrowest): name networks you control")
            }
            if !decoyRanges.contains(network) { decoyRanges.append(network) }
        }
    }

    /// Puts `key` back to its default (a whitelist reset also clears nothing else).
    public mutating func reset(_ key: SettingKey) {
        let defaults = DaemonSettings()
        switch key {
        case .udp: udpListeners = defaults.udpListeners; udpListenersNamed = false
        case .http: httpListeners = defaults.httpListeners; httpListenersNamed = false
        case .cpus: cpus = nil
        case .pin: pin = defaults.pin
        case .ioBackend: ioBackend = defaults.ioBackend
        case .udpWorkers: udpWorkers = nil
        case .interval: interval = defaults.interval
        case .peerTimeout: peerTimeout = defaults.peerTimeout
        case .logLevel: logLevel = defaults.logLevel
        case .logFormat: logFormat = defaults.logFormat
        case .whitelist: whitelist = nil
        case .blacklist: blacklist = nil
        case .user: user = nil
        case .chroot: chroot = nil
        case .redirectURL: redirectURL = nil
        case .statsAllow: statsAllow = defaults.statsAllow; statsAllowNamed = false
        case .statsPath: statsPath = defaults.statsPath
        case .trustedProxy: trustedProxies = []
        case .stateFile: stateFile = nil
        case .snapshotInterval: snapshotInterval = defaults.snapshotInterval
        case .maxTorrents: maxTorrents = defaults.maxTorrents
        case .maxPeersPerTorrent: maxPeersPerTorrent = defaults.maxPeersPerTorrent
        case .maxNewTorrentsPerMinute: maxNewTorrentsPerMinute = defaults.maxNewTorrentsPerMinute
        case .maxMemory: maxMemoryMiB = nil
        case .fullScrapeInterval: fullScrapeInterval = defaults.fullScrapeInterval
        case .metricsPublic: metricsPublic = defaults.metricsPublic
        case .livesyncListen: livesyncListen = nil
        case .livesyncNode, .clusterAllow: livesyncNodes = []
        case .clusterNode: clusterNodes = []
        case .clusterKey: clusterKey = nil
        case .clusterInsecure: clusterInsecure = false
        case .clusterFlushDelay: clusterFlushDelay = defaults.clusterFlushDelay
        case .clusterMulticast6: clusterMulticast6 = nil
        case .connectionIDKey: connectionIDKey = nil
        case .clusterStateFrom: clusterStateFrom = nil
        case .importStatedump: importStatedump = nil
        case .fifoAdd: fifoAdd = nil
        case .fifoDelete: fifoDelete = nil
        case .decoyPeers: decoyPeers = 0
        case .decoyRange: decoyRanges = []
        }
    }

    /// Applies command-line flags over a file's settings: a flag given replaces what the file said
    /// for that key (a repeatable flag replaces the file's whole list; `--whitelist` replaces a
    /// file's blacklist and vice versa). Pass only flags the user actually gave.
    public mutating func applyCommandLine(_ flags: [(key: SettingKey, values: [String])]) throws(SettingError) {
        let given = flags.filter { !$0.values.isEmpty }
        let keys = Set(given.map(\.key))
        if keys.contains(.whitelist) && keys.contains(.blacklist) {
            throw SettingError("--whitelist and --blacklist: choose one")
        }
        for flag in given {
            reset(flag.key)
            if flag.key == .whitelist { reset(.blacklist) }
            if flag.key == .blacklist { reset(.whitelist) }
            if !flag.key.isRepeatable && flag.values.count > 1 {
                throw SettingError("--\(flag.key.rawValue) given more than once")
            }
            for value in flag.values {
                do throws(SettingError) { try apply(flag.key, value) } catch {
                    throw SettingError("--\(error.description)")
                }
            }
        }
    }

    // MARK: value parsers

    private static func listenAddress(_ value: String, _ key: SettingKey) throws(SettingError) -> String {
        guard let address = ListenAddress.normalise(value) else {
            throw SettingError("\(key.rawValue): '\(value)' is not an address such as 1.2.3.4, 1.2.3.4:6969, [::1]:6969 or ::1")
        }
        return address
    }

    private static func cidr(_ value: String, _ key: SettingKey) throws(SettingError) -> CIDR {
        guard let network = CIDR(value) else {
            throw SettingError("\(key.rawValue): '\(value)' is not an address or network such as 10.0.0.0/8 or ::1/128")
        }
        return network
    }

    private static func number(_ value: String, _ key: SettingKey, in range: ClosedRange<UInt32>) throws(SettingError) -> UInt32 {
        guard value.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let number = UInt32(value) else {
            throw SettingError("\(key.rawValue): '\(value)' is not a whole number")
        }
        guard range.contains(number) else {
            throw SettingError("\(key.rawValue): \(number) is outside \(range.lowerBound)...\(range.upperBound)")
        }
        return number
    }

    private static func bool(_ value: String, _ key: SettingKey) throws(SettingError) -> Bool {
        switch value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw SettingError("\(key.rawValue): '\(value)' is not yes or no")
        }
    }

    /// One token: user names, URLs and paths in URLs have no spaces.
    private static func word(_ value: String, _ key: SettingKey) throws(SettingError) -> String {
        guard !value.isEmpty, !value.contains(where: { $0 == " " || $0 == "\t" }) else {
            throw SettingError("\(key.rawValue): '\(value)' must be one word")
        }
        return value
    }

    /// "0", "0,2", "0-3", "0-3,8-11": what `CPUSet.parse` accepts (the CPUs are checked against the
    /// online set at start-up).
    static func isCPUList(_ value: String) -> Bool {
        (try? CPUSet.parse(value)) != nil
    }
}

extension StringProtocol {
    /// Without Foundation: spaces, tabs, CR and LF (a file saved on Windows) at either end. Works on
    /// Unicode scalars, not Characters: a space followed by a combining mark is one Character but
    /// still a space here, so a value that starts with a combining mark keeps it.
    func trimmingASCIIWhitespace() -> String {
        let scalars = unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }), let last = scalars.lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
