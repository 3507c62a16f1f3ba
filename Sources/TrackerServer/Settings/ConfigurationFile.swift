/// A config file in opentracker.conf syntax, so an existing file works unchanged: one
/// `keyword value` per line, `#` starts a comment (at the start of a line or after whitespace),
/// blank lines and surrounding whitespace ignored. RingTracker's own options use the same syntax
/// as `ringtracker.<flag-name> value`.
///
/// Unlike opentracker, which prints "Unhandled line" and carries on, an unknown keyword or a bad
/// value is an error naming the file and line: a typo must not silently open a private tracker.
///
/// opentracker directives and what they become:
///
/// | directive | option |
/// |---|---|
/// | `listen.tcp_udp ADDR` | `udp` and `http` (each repeatable) |
/// | `listen.tcp ADDR` / `listen.udp ADDR` | `http` / `udp` |
/// | `listen.udp.workers N` | `udp-workers` (0 = one per CPU; order in the file does not matter here) |
/// | `tracker.rootdir DIR` | `chroot`: as root chroot there, otherwise chdir there (opentracker's `drop_privileges`) |
/// | `tracker.user NAME` | `user` |
/// | `tracker.redirect_url URL` | `redirect-url` |
/// | `access.whitelist FILE` / `access.blacklist FILE` | `whitelist` / `blacklist` (both: error) |
/// | `access.stats NET` | `stats-allow` (the first one replaces the loopback default) |
/// | `access.stats_path PATH` | `stats-path` |
/// | `access.proxy NET` | `trusted-proxy` |
/// | `livesync.cluster.listen ADDR` / `livesync.cluster.node_ip NET` | `livesync-listen` / `livesync-node` (cluster sync; needs `cluster-key` or `cluster-insecure`) |
/// | `batchsync.cluster.admin_ip` | ignored with a warning (opentracker never parsed it either) |
/// | `access.fifo_add FIFO` / `access.fifo_delete FIFO` | `fifo-add` / `fifo-delete` (opentracker 1.0 dynamic lists) |
public struct ConfigurationFile: Sendable {
    public let fileName: String
    /// `base` with every line of the file applied.
    public let settings: DaemonSettings
    /// "FILE:LINE: …" notes for accepted lines that do nothing in this build.
    public let warnings: [String]
    /// A config file larger than this is refused before it is read (Debian's opentracker.conf is
    /// 5 KiB; 1 MiB leaves room for long comment blocks and node lists).
    public static let maximumBytes = 1 << 20
    /// No setting's value comes near this (a path is at most 4,095 bytes on Linux).
    static let maximumValueBytes = 4096

    /// opentracker directive → option(s) it sets.
    static let opentrackerKeys: [String: [SettingKey]] = [
        "listen.tcp_udp": [.udp, .http],
        "listen.tcp": [.http],
        "listen.udp": [.udp],
        "listen.udp.workers": [.udpWorkers],
        "tracker.rootdir": [.chroot],
        "tracker.user": [.user],
        "tracker.redirect_url": [.redirectURL],
        "access.whitelist": [.whitelist],
        "access.blacklist": [.blacklist],
        "access.stats": [.statsAllow],
        "access.stats_path": [.statsPath],
        "access.proxy": [.trustedProxy],
        "livesync.cluster.listen": [.livesyncListen],
        "livesync.cluster.node_ip": [.livesyncNode],
        "access.fifo_add": [.fifoAdd],
        "access.fifo_delete": [.fifoDelete],
    ]

    public init(parsing text: String, fileName: String, base: DaemonSettings = DaemonSettings()) throws(ConfigurationError) {
        self.fileName = fileName
        var settings = base
        var warnings: [String] = []
        // LF (Unix), CRLF (Windows editors; one Character in Swift) and a lone CR (classic Mac) all end a line.
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        for (index, rawLine) in lines.enumerated() {
            let lineNumber = index + 1
            let line = Self.strippingComment(rawLine).trimmingASCIIWhitespace()
            if line.isEmpty { continue }
            let keyword: String
            let value: String
            // The first space or tab scalar ends the key, even when a combining mark follows it (one
            // Character with the space): the effective configuration prints "key value", and a value
            // that starts with a combining mark must read back as that value.
            let scalars = line.unicodeScalars
            if let space = scalars.firstIndex(where: { $0 == " " || $0 == "\t" }) {
                keyword = String(scalars[..<space])
                value = Substring(scalars[space...]).trimmingASCIIWhitespace()
            } else {
                keyword = line
                value = ""
            }
            func fail(_ message: String) -> ConfigurationError {
                ConfigurationError(file: fileName, line: lineNumber, message: message)
            }
            let keys: [SettingKey]
            var invert = false
            if let mapped = Self.opentrackerKeys[keyword] {
                keys = mapped
            } else if keyword.hasPrefix("ringtracker.") {
                let name = keyword.dropFirst("ringtracker.".count)
                if name == "no-pin" {
                    keys = [.pin]
                    invert = true
                } else if let key = SettingKey(rawValue: String(name)) {
                    keys = [key]
                } else {
                    throw fail("unknown key \(TextExcerpt(keyword))")
                }
            } else if keyword == "batchsync.cluster.admin_ip" {
                warnings.append("\(fileName):\(lineNumber): \(keyword) ignored (opentracker never implemented it)")
                continue
            } else {
                throw fail("unknown key \(TextExcerpt(keyword))")
            }
            guard !value.isEmpty else { throw fail("\(keyword): missing value") }
            guard value.utf8.count <= Self.maximumValueBytes else {
                throw fail("\(keyword): value \(TextExcerpt(value)) is longer than \(Self.maximumValueBytes) bytes")
            }
            guard !TextExcerpt.hasControlCharacters(value) else {
                throw fail("\(keyword): value \(TextExcerpt(value)) holds a control character")
            }
            for key in keys {
                do throws(SettingError) {
                    if invert {
                        var probe = DaemonSettings()
                        try probe.apply(.pin, value)
                        settings.pin = !probe.pin
                    } else {
                        try settings.apply(key, value)
                    }
                } catch {
                    // Setting errors quote the whole value; the file's reader sees a short, escaped excerpt.
                    let message = error.description.replacing("'\(value)'", with: "\(TextExcerpt(value))")
                    throw fail(Self.relabel(message, key: key, as: keyword))
                }
            }
        }
        self.settings = settings
        self.warnings = warnings
    }

    /// "peer-timeout: …" → "ringtracker.peer-timeout: …" / "tracker.user: …": the name the file used.
    static func relabel(_ message: String, key: SettingKey, as keyword: String) -> String {
        let prefix = "\(key.rawValue): "
        guard message.hasPrefix(prefix) else { return "\(keyword): \(message)" }
        return "\(keyword): " + message.dropFirst(prefix.count)
    }

    /// Text before a `#` that starts the line or follows whitespace ("http://host/#top" keeps its '#').
    static func strippingComment(_ line: Substring) -> String {
        var previousIsSpace = true
        let scalars = line.unicodeScalars
        for index in scalars.indices {
            let scalar = scalars[index]
            if scalar == "#" && previousIsSpace { return String(scalars[..<index]) }
            previousIsSpace = scalar == " " || scalar == "\t"
        }
        return String(line)
    }
}

/// "FILE:LINE: message": an unknown key, a missing or bad value.
public struct ConfigurationError: Error, CustomStringConvertible, Sendable, Equatable {
    public let file: String
    public let line: Int
    public let message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    /// The message's own quotes are already excerpts; any control character left is escaped too.
    public var description: String {
        let safe = message.unicodeScalars.map { TextExcerpt.hasControlCharacters(String($0)) ? TextExcerpt.escaped($0) : String($0) }
        return "\(file):\(line): " + safe.joined()
    }
}
