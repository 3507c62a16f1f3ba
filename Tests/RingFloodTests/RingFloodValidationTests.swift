import Testing
import TrackerProtocol
@testable import ringflood

/// Big-endian BEP 15 reply bytes built field by field.
private func reply(action: UInt32, tid: UInt32, _ rest: [UInt8] = []) -> [UInt8] {
    func be(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 255), UInt8(v >> 8 & 255), UInt8(v & 255)] }
    return be(action) + be(tid) + rest
}

@Suite struct ReplyValidatorTests {
    @Test func aConnectReplyOf16BytesYieldsItsConnectionID() {
        let bytes = reply(action: 0, tid: 9, [0, 0, 0, 0, 0, 0, 1, 2])
        #expect(ReplyValidator.validate(bytes.span, expected: .connect, detail: 0, ipv6: false) == .connect(ConnectionID(rawValue: 0x102)))
        #expect(ReplyValidator.validate((bytes + [0]).span, expected: .connect, detail: 0, ipv6: false) == .badLength)
    }

    @Test func anAnnounceReplyMustHoldWholePeersAndNoMoreThanNumwant() {
        let header = [UInt8](repeating: 0, count: 12)   // interval, leechers, seeders
        let two = reply(action: 1, tid: 1, header + [UInt8](repeating: 7, count: 12))
        #expect(ReplyValidator.validate(two.span, expected: .announce, detail: 30, ipv6: false) == .announce(peers: 2))
        #expect(ReplyValidator.validate(two.span, expected: .announce, detail: 1, ipv6: false) == .badLength)
        #expect(ReplyValidator.validate(two.span, expected: .announce, detail: 30, ipv6: true) == .badLength)
        // opentracker's 8-byte reply to an unlisted hash is not a valid announce reply.
        #expect(ReplyValidator.validate(reply(action: 1, tid: 1).span, expected: .announce, detail: 30, ipv6: false) == .badLength)
    }

    @Test func aScrapeReplyMustHaveOneEntryPerHashSent() {
        let three = reply(action: 2, tid: 1, [UInt8](repeating: 0, count: 36))
        #expect(ReplyValidator.validate(three.span, expected: .scrape, detail: 3, ipv6: false) == .scrape)
        #expect(ReplyValidator.validate(three.span, expected: .scrape, detail: 2, ipv6: false) == .badLength)
    }

    @Test func errorRepliesAndWrongActionsAreTold() {
        let error = reply(action: 3, tid: 1, Array("bad id".utf8))
        #expect(ReplyValidator.validate(error.span, expected: .announce, detail: 30, ipv6: false) == .errorReply)
        let connect = reply(action: 0, tid: 1, [UInt8](repeating: 0, count: 8))
        #expect(ReplyValidator.validate(connect.span, expected: .announce, detail: 30, ipv6: false) == .badAction)
        #expect(ReplyValidator.validate(reply(action: 9, tid: 1).span, expected: .scrape, detail: 1, ipv6: false) == .badAction)
        #expect(ReplyValidator.validate([1, 2, 3].span, expected: .scrape, detail: 1, ipv6: false) == .badLength)
    }

    @Test func everyShortOrRandomReplyIsJudgedWithoutTrapping() {
        var random = FloodRandom(seed: 5)
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            for kind in [RequestKind.connect, .announce, .scrape] {
                _ = ReplyValidator.validate(bytes.span, expected: kind, detail: 5, ipv6: false)
            }
            _ = ReplyValidator.transactionID(bytes.span)
        }
    }
}

@Suite struct TransactionTableTests {
    @Test func aReplyMatchesOnlyItsOwnSocketAndGeneration() throws {
        var table = TransactionTable(slots: 4)
        let first = table.open(socket: 2, kind: .announce, detail: 30, peer: 5, now: 100)
        let (slot, tid) = try #require(first)
        #expect(table.match(tid, socket: 2) == slot)
        #expect(table.match(tid, socket: 3) == nil)
        #expect(table.match(tid ^ 0x1_0000, socket: 2) == nil)
        table.close(slot)
        #expect(table.match(tid, socket: 2) == nil)   // a duplicate after the first reply is unknown
        let second = table.open(socket: 2, kind: .announce, detail: 30, peer: 5, now: 200)
        let (again, newTID) = try #require(second)
        #expect(again == slot && newTID != tid)
        #expect(table.match(tid, socket: 2) == nil)   // a late reply for the old use of the slot
    }

    @Test func theWindowIsBoundedAndTimeoutsFreeSlots() {
        var table = TransactionTable(slots: 3)
        for t in 0..<3 { #expect(table.open(socket: 0, kind: .connect, detail: 0, peer: -1, now: UInt64(t * 10)) != nil) }
        #expect(table.open(socket: 0, kind: .connect, detail: 0, peer: -1, now: 40) == nil)
        var expired = 0
        table.expire(sentBefore: 15) { _, kind in
            #expect(kind == .connect)
            expired += 1
        }
        #expect(expired == 2 && table.free == 2 && table.outstanding == 1)
    }
}

@Suite struct ProcessStatsTests {
    @Test func cpuTimeIsReadAfterTheLastParenthesisOfTheCommandName() {
        // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime …
        let line = "42 (odd ) name) S 1 42 42 0 -1 4194560 100 0 0 0 250 150 0 0 20 0 1 0 5 0 0"
        let ticks = Double(sysconfTicks())
        #expect(ProcessStats.cpuSeconds(statLine: line) == 400 / ticks)
        #expect(ProcessStats.cpuSeconds(statLine: "garbage") == nil)
    }
}

#if canImport(Glibc)
import Glibc
private func sysconfTicks() -> Int { sysconf(Int32(_SC_CLK_TCK)) }
#endif
