import Testing
import TrackerCore
import TrackerProtocol

private let hashA = "0123456789abcdef0123456789abcdef01234567"
private let hashB = "FEDCBA9876543210FEDCBA9876543210FEDCBA98"

private func hash(_ hex: String) -> InfoHash {
    guard let value = InfoHash(hex: hex) else {
        Issue.record("bad test hash \(hex)")
        return InfoHash(bytes: [UInt8](repeating: 0, count: 20))
    }
    return value
}

/// 40 hex digits encoding `index` (distinct for every index).
private func numberedHash(_ index: Int) -> String {
    let digits = String(index, radix: 16)
    return String(repeating: "0", count: 40 - digits.count) + digits
}

@Suite("Access list file syntax")
struct AccessListSyntaxTests {
    @Test("A line starting with 40 hex digits lists that hash; text after it is ignored")
    func trailingText() {
        let list = AccessList(parsing: "\(hashA) Ubuntu 24.04 desktop ISO\n\(hashB)\tsecond\n")
        #expect(list.count == 2)
        #expect(list.contains(hash(hashA)))
        #expect(list.contains(hash(hashB)))
        #expect(list.ignoredLines == 0)
    }

    @Test("LF, CRLF and lone CR line endings list every hash (a CR-only file used to list only its first)")
    func lineEndings() {
        for ending in ["\n", "\r\n", "\r"] {
            let list = AccessList(parsing: "# list\(ending)\(hashA) first\(ending)\(ending)\(hashB)\(ending)")
            #expect(list.count == 2, "\(ending.utf8.map { $0 })")
            #expect(list.contains(hash(hashB)))
            #expect(list.ignoredLines == 0)
        }
    }

    @Test("Lowercase, uppercase and mixed-case hex name the same hash")
    func hexCase() {
        let mixed = "0123456789AbCdEf0123456789aBcDeF01234567"
        let list = AccessList(parsing: "\(hashA.uppercased())\n\(mixed)\n\(hashA)\n")
        #expect(list.count == 1)
        #expect(list.contains(hash(hashA)))
    }

    @Test("Short lines, 41 hex digits and lines not starting with a hash are ignored and counted")
    func ignoredLines() {
        let text = """
            # comment lines are not counted
            0123456789abcdef
            \(hashA)f
             \(hashB)
            g\(hashA)

            \(hashB)
            """
        let list = AccessList(parsing: text)
        #expect(list.infoHashes == [hash(hashB)])
        #expect(list.ignoredLines == 4)
    }

    @Test("A last line without a newline is read, and a truncated one is ignored without over-reading")
    func noTrailingNewline() {
        #expect(AccessList(parsing: "\(hashA)\n\(hashB)").count == 2)
        #expect(AccessList(parsing: hashA).contains(hash(hashA)))
        #expect(AccessList(parsing: "\(hashA)\n\(hashB.prefix(39))").count == 1)
        #expect(AccessList(parsing: "").isEmpty)
    }

    @Test("Windows line endings still list the hash")
    func crlf() {
        let list = AccessList(parsing: "\(hashA)\r\n\(hashB)\r\n")
        #expect(list.count == 2)
    }

    @Test("A 1000-hash file lists all 1000")
    func thousandHashes() {
        let text = (0..<1000).map { "\(numberedHash($0)) torrent \($0)" }.joined(separator: "\n") + "\n"
        let list = AccessList(parsing: text)
        #expect(list.count == 1000)
        #expect(list.contains(hash(numberedHash(999))))
        #expect(!list.contains(hash(numberedHash(1000))))
    }

    @Test("Whitelist allows only listed hashes, blacklist all but listed, open everything")
    func modes() {
        let list = AccessList(parsing: hashA)
        #expect(list.allows(hash(hashA), mode: .whitelist))
        #expect(!list.allows(hash(hashB), mode: .whitelist))
        #expect(!list.allows(hash(hashA), mode: .blacklist))
        #expect(list.allows(hash(hashB), mode: .blacklist))
        #expect(list.allows(hash(hashA), mode: .open))
        #expect(AccessList.empty.allows(hash(hashB), mode: .open))
    }
}

@Suite("Access policy reload")
struct AccessPolicyTests {
    @Test("A reader sees a replaced list only after refresh")
    func refreshPicksUpReplacement() {
        let policy = AccessPolicy(mode: .whitelist, list: AccessList(parsing: hashA))
        var reader = policy.makeReader()
        #expect(reader.allows(hash(hashA)))
        #expect(!reader.allows(hash(hashB)))

        policy.replace(with: AccessList(parsing: hashB))
        #expect(reader.allows(hash(hashA)), "cached list until refresh")
        #expect(!reader.allows(hash(hashB)))

        let changed = reader.refresh()
        #expect(changed)
        #expect(!reader.allows(hash(hashA)))
        #expect(reader.allows(hash(hashB)))
        let changedAgain = reader.refresh()
        #expect(!changedAgain, "nothing new the second time")
        #expect(policy.replacements == 1)
    }

    @Test("A reader refreshing during replacements always sees a whole list, never part of one")
    func neverPartial() async {
        // Each list holds either hashes 0..<500 or 500..<1000, complete; a reader must see 500
        // hashes from one range, never a mix or a short list.
        let low = AccessList(parsing: (0..<500).map { numberedHash($0) }.joined(separator: "\n"))
        let high = AccessList(parsing: (500..<1000).map { numberedHash($0) }.joined(separator: "\n"))
        let lowProbes = [hash(numberedHash(0)), hash(numberedHash(499))]
        let highProbes = [hash(numberedHash(500)), hash(numberedHash(999))]
        let policy = AccessPolicy(mode: .whitelist, list: low)

        await withTaskGroup(of: Int.self) { group in
            group.addTask {
                for turn in 0..<2000 { policy.replace(with: turn % 2 == 0 ? high : low) }
                return 0
            }
            for _ in 0..<4 {
                group.addTask {
                    var reader = policy.makeReader()
                    var torn = 0
                    for _ in 0..<20_000 {
                        reader.refresh()
                        let lowSeen = lowProbes.filter { reader.allows($0) }.count
                        let highSeen = highProbes.filter { reader.allows($0) }.count
                        let whole = (lowSeen == 2 && highSeen == 0) || (lowSeen == 0 && highSeen == 2)
                        if !whole || reader.count != 500 { torn += 1 }
                    }
                    return torn
                }
            }
            var torn = 0
            for await count in group { torn += count }
            #expect(torn == 0)
        }
        #expect(policy.replacements == 2000)
    }

    @Test("An open policy allows every hash")
    func openPolicy() {
        let reader = AccessPolicy(mode: .open).makeReader()
        #expect(reader.allows(hash(hashA)))
    }
}
