import Glibc
import Logging
import TrackerIO

/// How the daemon writes log lines to stderr.
public enum LogFormat: String, Sendable {
    /// swift-log's `StreamLogHandler` line: timestamp, level, label, metadata, message.
    case text
    /// For journald: `<N>` syslog priority prefix (sd-daemon(3)), no timestamp (the journal adds
    /// its own), so `journalctl -p warning` finds warnings.
    case journal
    /// One JSON object a line, for log shippers (Vector, Promtail, Fluent Bit).
    case json

    /// `auto` resolves to `journal` when stderr is the stream systemd names in `JOURNAL_STREAM`
    /// (checked by device and inode, as systemd.exec(5) asks), else `text`.
    public static func resolve(_ setting: String, journalStream: String?, standardError: FileIdentity?) -> LogFormat {
        if let format = LogFormat(rawValue: setting) { return format }
        guard let journalStream, let standardError else { return .text }
        let parts = journalStream.split(separator: ":")
        guard parts.count == 2, let device = UInt64(parts[0]), let inode = UInt64(parts[1]) else { return .text }
        return device == standardError.device && inode == standardError.inode ? .journal : .text
    }
}

/// A `LogHandler` writing one line per event with one `write(2)` to stderr (lines from several
/// threads never interleave), in the `journal` or `json` format.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    public let label: String
    public let format: LogFormat

    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { $1 } }
        let line = Self.line(
            format: format, level: event.level, message: "\(event.message)", metadata: merged, label: label,
            time: WallClock.now())
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        var offset = 0
        while offset < bytes.count {
            // SAFETY: the slice lies inside `bytes`, which outlives the call.
            let written = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return }  // a closed stderr cannot be reported anywhere
            offset += written
        }
    }

    /// syslog(3) priorities: trace has none of its own, so it shares debug's.
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// The line without its newline. `time` is (seconds, milliseconds) since the epoch, UTC.
    public static func line(
        format: LogFormat, level: Logger.Level, message: String, metadata: Logger.Metadata, label: String,
        time: (seconds: Int, milliseconds: Int)
    ) -> String {
        let keys = metadata.keys.sorted()
        switch format {
        case .text, .journal:
            // Text is StreamLogHandler's job; a direct caller gets the journal shape without the prefix.
            let fields = keys.map { "\($0)=\(metadata[$0].map { "\($0)" } ?? "")" }.joined(separator: " ")
            let body = fields.isEmpty ? message : "\(message) \(fields)"
            return format == .journal ? "<\(priority(level))>\(body)" : body
        case .json:
            var line = "{\"time\":\"\(timestamp(time))\",\"level\":\"\(level.rawValue)\",\"logger\":"
            line += jsonString(label) + ",\"message\":" + jsonString(message)
            if !keys.isEmpty {
                line += ",\"metadata\":{"
                line += keys.map { jsonString($0) + ":" + jsonString(metadata[$0].map { "\($0)" } ?? "") }
                    .joined(separator: ",")
                line += "}"
            }
            return line + "}"
        }
    }

    /// RFC 8259 string: quotes, backslash and control characters escaped; everything else as UTF-8.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// RFC 3339 UTC with milliseconds, "2026-12-05T13:04:05.123Z".
    static func timestamp(_ time: (seconds: Int, milliseconds: Int)) -> String {
        var seconds = time_t(time.seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = time.milliseconds < 10 ? "00\(time.milliseconds)" : time.milliseconds < 100 ? "0\(time.milliseconds)" : "\(time.milliseconds)"
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)).\(millis)Z"
    }
}
