import Logging
import Testing
import TrackerIO
@testable import TrackerServer

@Suite("log line formats")
struct LogFormatTests {
    @Test("Levels map to syslog priorities: critical 2, error 3, warning 4, notice 5, info 6, debug and trace 7")
    func priorities() {
        let levels: [Logger.Level] = [.critical, .error, .warning, .notice, .info, .debug, .trace]
        #expect(levels.map(LineLogHandler.priority) == [2, 3, 4, 5, 6, 7, 7])
    }

    @Test("A journal line is the priority, the message and sorted metadata, with no timestamp")
    func journalLine() {
        let line = LineLogHandler.line(
            format: .journal, level: .warning, message: "skipping default listener",
            metadata: ["udp": "[::]:6969", "error": "bind: no IPv6"], label: "ringtracker", time: (0, 0))
        #expect(line == "<4>skipping default listener error=bind: no IPv6 udp=[::]:6969")
    }

    @Test("A JSON line escapes quotes, backslashes and control characters and has an RFC 3339 UTC time")
    func jsonLine() {
        let line = LineLogHandler.line(
            format: .json, level: .error, message: "bad \"x\"\\\n\u{1}", metadata: ["path": "/tmp/a b"],
            label: "ringtracker", time: (1_764_939_845, 7))
        #expect(line == #"{"time":"2025-12-05T13:04:05.007Z","level":"error","logger":"ringtracker","message":"bad \"x\"\\\n\u0001","metadata":{"path":"/tmp/a b"}}"#)
    }

    @Test("auto picks journal only when JOURNAL_STREAM names stderr's device and inode; explicit formats win")
    func resolve() {
        let stderr = FileIdentity(device: 64_769, inode: 1234)
        #expect(LogFormat.resolve("auto", journalStream: "64769:1234", standardError: stderr) == .journal)
        #expect(LogFormat.resolve("auto", journalStream: "64769:999", standardError: stderr) == .text)
        #expect(LogFormat.resolve("auto", journalStream: "garbage", standardError: stderr) == .text)
        #expect(LogFormat.resolve("auto", journalStream: nil, standardError: stderr) == .text)
        #expect(LogFormat.resolve("json", journalStream: "64769:1234", standardError: stderr) == .json)
        #expect(LogFormat.resolve("text", journalStream: "64769:1234", standardError: stderr) == .text)
    }
}
