import Testing
import TrackerProtocol

@Suite("Bencode writer")
struct BencodeWriterTests {
    @Test("an announce reply matches opentracker's bytes key for key")
    func opentrackerAnnounce() {
        var writer = BencodeWriter()
        writer.beginDictionary()
        writer.string("complete"); writer.integer(1)
        writer.string("downloaded"); writer.integer(0)
        writer.string("incomplete"); writer.integer(0)
        writer.string("interval"); writer.integer(1650)
        writer.string("min interval"); writer.integer(825)
        writer.string("peers"); writer.string([0x7F, 0x00, 0x00, 0x01, 0x1A, 0xE1])
        writer.end()
        let expected = Array("d8:completei1e10:downloadedi0e10:incompletei0e8:intervali1650e12:min intervali825e5:peers6:".utf8)
            + [0x7F, 0x00, 0x00, 0x01, 0x1A, 0xE1] + Array("e".utf8)
        #expect(writer.bytes == expected)
    }

    @Test("integers are plain decimal without leading zeros, including the extremes")
    func integers() {
        for (value, text) in [(Int64(0), "i0e"), (7, "i7e"), (10, "i10e"), (-3, "i-3e"), (1_000_000, "i1000000e"),
                              (.max, "i9223372036854775807e"), (.min, "i-9223372036854775808e")] {
            var writer = BencodeWriter()
            writer.integer(value)
            #expect(writer.bytes == Array(text.utf8), "\(value)")
            #expect(writer.bytes == Array("i\(value)e".utf8))
        }
    }

    @Test("string lengths count UTF-8 bytes, and lists nest")
    func stringsAndLists() {
        var writer = BencodeWriter()
        writer.beginList()
        writer.string("é")
        writer.string("")
        writer.beginList(); writer.integer(1); writer.end()
        writer.end()
        #expect(writer.bytes == Array("l2:é0:li1eee".utf8))
    }
}
