extension DaemonSettings {
    /// Every option as `ringtracker.<key> <value>` lines, in `SettingKey` order: the effective
    /// configuration `--check-config` prints. The text is itself a valid config file that yields
    /// these settings again; unset options appear as comments.
    public func effectiveDescription() -> String {
        var lines = ["# ringtracker effective configuration (access: \(accessMode.rawValue))"]
        func line(_ key: SettingKey, _ value: String, note: String? = nil) {
            lines.append("\(key.configKey) \(value)" + (note.map { "   # \($0)" } ?? ""))
        }
        func unset(_ key: SettingKey, _ meaning: String) {
            lines.append("# \(key.configKey) (not set: \(meaning))")
        }
        func optional(_ key: SettingKey, _ value: String?, _ meaning: String) {
            if let value { line(key, value) } else { unset(key, meaning) }
        }
        func yesNo(_ value: Bool) -> String { value ? "yes" : "no" }

        for key in SettingKey.allCases {
            switch key {
            case .udp:
                for address in udpListeners { line(key, address, note: udpListenersNamed ? nil : "default") }
            case .http:
                for address in httpListeners { line(key, address, note: httpListenersNamed ? nil : "default") }
            case .cpus: optional(key, cpus, "all online CPUs")
            case .pin: line(key, yesNo(pin))
            case .ioBackend: line(key, ioBackend)
            case .udpWorkers: optional(key, udpWorkers.map(String.init), "one UDP worker per CPU")
            case .interval: line(key, "\(interval)")
            case .peerTimeout: line(key, "\(peerTimeout)")
            case .logLevel: line(key, logLevel)
            case .logFormat: line(key, logFormat)
            case .whitelist: optional(key, whitelist, "no whitelist")
            case .blacklist: optional(key, blacklist, "no blacklist")
            case .user: optional(key, user, "no privilege drop")
            case .chroot: optional(key, chroot, "no root directory")
            case .redirectURL: optional(key, redirectURL, "GET / answers 404")
            case .statsAllow:
                if statsAllow.isEmpty { unset(key, "nobody may read stats") }
                for network in statsAllow { line(key, network.description, note: statsAllowNamed ? nil : "default") }
            case .statsPath: line(key, statsPath)
            case .trustedProxy:
                if trustedProxies.isEmpty { unset(key, "X-Forwarded-For is never believed") }
                for network in trustedProxies { line(key, network.description) }
            case .stateFile: optional(key, stateFile, "no snapshots")
            case .snapshotInterval: line(key, "\(snapshotInterval)")
            case .maxTorrents: line(key, "\(maxTorrents)", note: maxTorrents == 0 ? "no limit" : nil)
            case .maxPeersPerTorrent: line(key, "\(maxPeersPerTorrent)", note: maxPeersPerTorrent == 0 ? "no limit" : nil)
            case .maxNewTorrentsPerMinute:
                line(key, "\(maxNewTorrentsPerMinute)", note: maxNewTorrentsPerMinute == 0 ? "no limit" : "per IPv4 address / IPv6 /64")
            case .maxMemory:
                if let maxMemoryMiB { line(key, "\(maxMemoryMiB)", note: maxMemoryMiB == 0 ? "no limit" : "MiB of estimated store size") }
                else { line(key, "auto", note: "half of physical memory") }
            case .fullScrapeInterval: line(key, "\(fullScrapeInterval)")
            case .metricsPublic: line(key, yesNo(metricsPublic))
            case .livesyncListen:
                if let livesyncListen { line(key, livesyncListen, note: "joins 224.0.23.5 on this interface") }
                else { unset(key, "no IPv4 multicast sync") }
            case .livesyncNode:
                if livesyncNodes.isEmpty { unset(key, "no sync packets accepted") }
                for network in livesyncNodes { line(key, network.description) }
            case .clusterAllow: unset(key, "the same list as \(SettingKey.livesyncNode.configKey)")
            case .clusterNode:
                if clusterNodes.isEmpty { unset(key, "no unicast sync") }
                for node in clusterNodes { line(key, node) }
            case .clusterKey: optional(key, clusterKey, "sync packets unauthenticated")
            case .clusterInsecure: line(key, yesNo(clusterInsecure))
            case .clusterFlushDelay: line(key, "\(clusterFlushDelay)")
            case .clusterMulticast6: optional(key, clusterMulticast6, "no IPv6 multicast sync")
            case .connectionIDKey: optional(key, connectionIDKey, "random key per start")
            case .clusterStateFrom: optional(key, clusterStateFrom, "no state transfer at start")
            case .importStatedump: optional(key, importStatedump, "no opentracker statedump imported")
            case .fifoAdd: optional(key, fifoAdd, "no FIFO adds to the access list")
            case .fifoDelete: optional(key, fifoDelete, "no FIFO removes from the access list")
            case .decoyPeers: line(key, "\(decoyPeers)", note: decoyPeers == 0 ? "off" : nil)
            case .decoyRange:
                if decoyRanges.isEmpty { unset(key, "no decoy addresses") }
                for network in decoyRanges { line(key, network.description) }
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
