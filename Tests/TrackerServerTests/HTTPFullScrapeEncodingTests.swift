import CZstd
import Testing
import TrackerCore
import TrackerIO
import TrackerProtocol
@testable import TrackerServer

/// zstd streaming decompression of a whole body (one or more frames); nil on any error.
func unzstd(_ input: [UInt8]) -> [UInt8]? {
    guard let context = ZSTD_createDCtx() else { return nil }
    defer { ZSTD_freeDCtx(context) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    return input.withUnsafeBytes { inBuffer -> [UInt8]? in
        var source = ZSTD_inBuffer(src: inBuffer.baseAddress, size: inBuffer.count, pos: 0)
        var last = 1
        // Each round consumes input or produces output; 100k rounds is far beyond any test body.
        for _ in 0..<100_000 {
            let (result, produced) = chunk.withUnsafeMutableBytes { out -> (Int, Int) in
                var destination = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
                let result = ZSTD_decompressStream(context, &destination, &source)
                return (ZSTD_isError(result) != 0 ? -1 : result, destination.pos)
            }
            guard result >= 0 else { return nil }
            output += chunk[0..<produced]
            last = result
            if source.pos == source.size && produced < chunk.count { break }
        }
        return last == 0 ? output : nil
    }
}

@Suite("Full scrape content codings")
struct HTTPFullScrapeEncodingTests {
    func populated() throws -> HTTPTestServer {
        let server = try HTTPTestServer()
        var rng = Xoshiro256(seed: 11)
        var buffer = [UInt8](repeating: 0, count: 64)
        for n in 0..<2000 {
            let hash = InfoHash(bytes: (0..<20).map { _ in UInt8.random(in: 0...255, using: &rng) })
            var span = buffer.mutableSpan
            var raw = span.mutableBytes
            _ = server.store.announce(
                Announce(infoHash: hash, event: n % 5 == 0 ? .completed : .none, isSeeder: n % 2 == 0, numWant: 0),
                from: .v4(IPv4Address(rawValue: 0x0A00_0000 | UInt32(n)), port: 1), now: WallClock.seconds(),
                rng: &rng, peers: &raw, at: 0)
        }
        return server
    }

    @Test("zstd, gzip and identity full scrapes decode to the same body")
    func decodedBodiesEqual() throws {
        let server = try populated()
        let identity = try server.client().get("/scrape")
        #expect(identity.header("Content-Encoding") == nil)
        #expect(identity.body.count > 2000 * 50)
        let zstd = try server.client().get("/scrape", headers: ["Accept-Encoding: gzip, zstd"])
        #expect(zstd.header("Content-Encoding") == "zstd")
        #expect(zstd.body.count < identity.body.count)
        #expect(unzstd(zstd.body) == identity.body)
        let gzip = try server.client().get("/scrape", headers: ["Accept-Encoding: gzip, zstd;q=0"])
        #expect(gzip.header("Content-Encoding") == "gzip")
        #expect(gunzip(gzip.body) == identity.body)
        let txt = try server.client().get("/scrape?format=txt", headers: ["Accept-Encoding: zstd"])
        #expect(unzstd(txt.body) == (try server.client().get("/scrape?format=txt").body))
        let metrics = try server.client().get("/metrics").text
        #expect(metrics.contains("ringtracker_http_zstd_full_scrapes_total 2"))
    }

    @Test("The coding follows Accept-Encoding: zstd wins, q=0 refuses, anything else is identity")
    func choice() {
        #expect(HTTPContentCoding.choose(["gzip, deflate, br, zstd"]) == "zstd")
        #expect(HTTPContentCoding.choose(["GZIP"]) == "gzip")
        #expect(HTTPContentCoding.choose(["zstd;q=0", "gzip;q=0.5"]) == "gzip")
        #expect(HTTPContentCoding.choose(["zstd;q=0.0, gzip;q=0"]) == nil)
        #expect(HTTPContentCoding.choose(["br, deflate"]) == nil)
        #expect(HTTPContentCoding.choose([]) == nil)
    }
}
