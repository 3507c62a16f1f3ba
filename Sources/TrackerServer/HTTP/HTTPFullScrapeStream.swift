import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerIO
import TrackerProtocol

/// A full scrape in progress: walks the store shard by shard (one shard lock at a time, entries
/// sorted within the shard), sends ~64 KiB chunks and waits for each write to complete before
/// reading more, so the body is never held in memory and a slow reader only slows itself.
///
/// Chunks are gathered, formatted and compressed on the front's full-scrape thread, never on an
/// event loop: 50 concurrent full scrapes used to delay a keep-alive announce on the same loop by
/// seconds. `@unchecked Sendable`: one chunk is produced at a time (the next is asked for only
/// when the previous one's write completed, and the future hand-offs order the accesses), so the
/// pool thread and the loop never touch it at once.
final class HTTPFullScrapeStream: @unchecked Sendable {
    /// Uncompressed bytes gathered before a chunk is sent.
    static let chunkBytes = 64 * 1024

    let store: TorrentStore
    let format: HTTPFullScrapeFormat
    let deflater: HTTPBodyCompressor?
    var nextShard = 0

    init(store: TorrentStore, format: HTTPFullScrapeFormat, deflater: HTTPBodyCompressor?) {
        self.store = store
        self.format = format
        self.deflater = deflater
    }

    var isFinished: Bool { nextShard >= store.shardCount }

    /// The next piece of the body (possibly empty when gzip is still buffering); the last call,
    /// when `isFinished` becomes true, carries the suffix and the gzip trailer.
    func nextChunk() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.chunkBytes + 4096)
        if nextShard == 0 { format.appendPrefix(to: &bytes) }
        var entries: [(InfoHash, ScrapeCounts, UInt32)] = []
        while bytes.count < Self.chunkBytes && nextShard < store.shardCount {
            entries.removeAll(keepingCapacity: true)
            store.forEachTorrent(shard: nextShard) { hash, counts, lastActivity in entries.append((hash, counts, lastActivity)) }
            nextShard += 1
            entries.sort { $0.0 < $1.0 }
            for (hash, counts, lastActivity) in entries {
                format.appendEntry(
                    hash, seeders: counts.seeders, leechers: counts.leechers, downloaded: counts.downloaded,
                    lastActivity: lastActivity, to: &bytes)
            }
        }
        if isFinished { format.appendSuffix(to: &bytes) }
        guard let deflater else { return bytes }
        return deflater.compress(bytes, finish: isFinished)
    }
}

extension HTTPTrackerHandler {
    func startFullScrape(
        query: ArraySlice<UInt8>?, client: PeerAddress, head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        let configuration = shared.configuration
        guard configuration.fullScrapeInterval > 0 else {
            return error(.notFound, action: .fullScrape, head: head, context: context)
        }
        let format: HTTPFullScrapeFormat
        switch HTTPFullScrapeFormat.parse(query: query) {
        case .invalid(let reason):
            loop.statistics.count(reason)
            return error(.badRequest, action: .fullScrape, head: head, context: context)
        case .format(let parsed):
            format = parsed
        }
        if !configuration.statsAllowed(client),
            let wait = shared.fullScrapeLimiter.admit(client, now: WallClock.seconds())
        {
            return error(
                .tooManyRequests, action: .fullScrape, head: head, context: context,
                extraHeaders: [("Retry-After", String(wait))])
        }
        loop.statistics.count(.fullScrape, .ok)
        streamFullScrape(format: format, head: head, context: context)
    }

    /// Sends every torrent in `format`: `/scrape`, and `/stats?mode=tpbs` / `mode=statedump`.
    func streamFullScrape(format: HTTPFullScrapeFormat, head: HTTPRequestHead, context: ChannelHandlerContext) {
        let coding = HTTPContentCoding.choose(head.headers[canonicalForm: "Accept-Encoding"].map(String.init))
        // A compressor that cannot allocate falls back to identity rather than failing the scrape.
        let deflater = HTTPContentCoding.compressor(for: coding)
        switch deflater?.contentEncoding {
        case "gzip": loop.statistics.count(.gzipFullScrapes)
        case "zstd": loop.statistics.count(.zstdFullScrapes)
        default: break
        }

        // No Content-Length: an HTTP/1.1 body is sent chunked (as NIO's encoder did). An HTTP/1.0
        // client gets the body until the connection closes.
        let http10 = head.version.major == 1 && head.version.minor == 0
        let keepAlive = head.isKeepAlive && !http10
        var buffer = context.channel.allocator.buffer(capacity: 256)
        Self.writeStatusLine(.ok, http10: http10, into: &buffer)
        buffer.writeStaticString("Content-Type: ")
        buffer.writeString(format.contentType)
        buffer.writeStaticString("\r\n")
        if let deflater {
            buffer.writeStaticString("Content-Encoding: ")
            buffer.writeString(deflater.contentEncoding)
            buffer.writeStaticString("\r\n")
        }
        if !http10 { Self.writeHeader("Transfer-Encoding", "chunked", into: &buffer) }
        if !keepAlive { buffer.writeStaticString("Connection: close\r\n") }
        buffer.writeStaticString("\r\n")
        // Responses answered earlier in this read batch go first; reading stops until the end.
        loop.statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        context.write(wrapOutboundOut(buffer), promise: nil)
        if keepAlive {
            context.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        } else {
            closing = true
        }
        let stream = HTTPFullScrapeStream(store: shared.store, format: format, deflater: deflater)
        fullScrape = stream
        sendFullScrape(stream, chunked: !http10, keepAlive: keepAlive, context: context)
    }

    /// The body piece as sent: an HTTP/1.1 chunk (`SIZE-HEX CRLF data CRLF`, RFC 9112 §7.1) or
    /// the raw bytes for HTTP/1.0; the last piece carries the `0 CRLF CRLF` terminator.
    private func bodyPiece(_ bytes: [UInt8], chunked: Bool, last: Bool, context: ChannelHandlerContext) -> ByteBuffer {
        var buffer = context.channel.allocator.buffer(capacity: bytes.count + 16)
        if chunked && !bytes.isEmpty {
            buffer.writeString(String(bytes.count, radix: 16))
            buffer.writeStaticString("\r\n")
            buffer.writeBytes(bytes)
            buffer.writeStaticString("\r\n")
        } else if !chunked {
            buffer.writeBytes(bytes)
        }
        if chunked && last { buffer.writeStaticString("0\r\n\r\n") }
        return buffer
    }

    /// Asks the full-scrape thread for the next piece and writes it on this loop when ready.
    private func sendFullScrape(
        _ stream: HTTPFullScrapeStream, chunked: Bool, keepAlive: Bool, context: ChannelHandlerContext
    ) {
        let piece = shared.fullScrapePool.runIfActive(eventLoop: context.eventLoop) { () -> FullScrapePiece in
            var chunk: [UInt8] = []
            // Skip over chunks gzip kept entirely in its window: only send something worth a write.
            while chunk.isEmpty && !stream.isFinished { chunk = stream.nextChunk() }
            return FullScrapePiece(bytes: chunk, last: stream.isFinished)
        }
        piece.assumeIsolated().whenComplete { result in
            switch result {
            case .success(let piece):
                self.writeFullScrape(piece, stream, chunked: chunked, keepAlive: keepAlive, context: context)
            case .failure:
                self.fullScrape = nil
                context.close(promise: nil)
            }
        }
    }

    private func writeFullScrape(
        _ piece: FullScrapePiece, _ stream: HTTPFullScrapeStream, chunked: Bool, keepAlive: Bool,
        context: ChannelHandlerContext
    ) {
        let last = piece.last
        let buffer = bodyPiece(piece.bytes, chunked: chunked, last: last, context: context)
        loop.statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        loop.statistics.count(.fullScrapeBytes, by: UInt64(piece.bytes.count))
        connection.lastActive = loop.idle.tick
        unflushed = false
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { result in
            switch result {
            case .success where last:
                self.fullScrape = nil
                if keepAlive {
                    self.fullScrapeEnded(context: context)
                } else {
                    context.close(promise: nil)
                }
            case .success:
                self.sendFullScrape(stream, chunked: chunked, keepAlive: keepAlive, context: context)
            case .failure:
                self.fullScrape = nil
                context.close(promise: nil)
            }
        }
    }
}

/// One piece of a full scrape's body, produced off the event loop.
struct FullScrapePiece: Sendable {
    var bytes: [UInt8]
    var last: Bool
}
