import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerProtocol

/// A full scrape in progress: walks the store shard by shard (one shard lock at a time, entries
/// sorted within the shard), sends ~64 KiB chunks and waits for each write to complete before
/// reading more, so the body is never held in memory and a slow reader only slows itself.
final class HTTPFullScrapeStream {
    /// Uncompressed bytes gathered before a chunk is sent.
    static let chunkBytes = 64 * 1024

    let store: TorrentStore
    let format: HTTPFullScrapeFormat
    let deflater: HTTPGzipDeflater?
    var nextShard = 0

    init(store: TorrentStore, format: HTTPFullScrapeFormat, deflater: HTTPGzipDeflater?) {
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
        var entries: [(InfoHash, ScrapeCounts)] = []
        while bytes.count < Self.chunkBytes && nextShard < store.shardCount {
            entries.removeAll(keepingCapacity: true)
            store.forEachTorrent(shard: nextShard) { hash, counts in entries.append((hash, counts)) }
            nextShard += 1
            entries.sort { $0.0 < $1.0 }
            for (hash, counts) in entries {
                format.appendEntry(
                    hash, seeders: counts.seeders, leechers: counts.leechers, downloaded: counts.downloaded, to: &bytes)
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
        let acceptsGzip = head.headers[canonicalForm: "Accept-Encoding"].contains { $0.lowercased().contains("gzip") }
        let deflater = acceptsGzip ? HTTPGzipDeflater() : nil
        loop.statistics.count(.fullScrape, .ok)
        if deflater != nil { loop.statistics.count(.gzipFullScrapes) }

        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: format.contentType)
        if deflater != nil { headers.add(name: "Content-Encoding", value: "gzip") }
        // No Content-Length: NIO's encoder sends HTTP/1.1 bodies chunked. An HTTP/1.0 client gets
        // the body until the connection closes.
        let keepAlive = head.isKeepAlive && head.version != .http1_0
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version == .http1_0 ? .http1_0 : .http1_1, status: .ok, headers: headers))), promise: nil)
        let stream = HTTPFullScrapeStream(store: shared.store, format: format, deflater: deflater)
        fullScrape = stream
        sendFullScrape(stream, keepAlive: keepAlive, context: context)
    }

    private func sendFullScrape(_ stream: HTTPFullScrapeStream, keepAlive: Bool, context: ChannelHandlerContext) {
        var chunk: [UInt8] = []
        // Skip over chunks gzip kept entirely in its window: only send something worth a write.
        while chunk.isEmpty && !stream.isFinished { chunk = stream.nextChunk() }
        if stream.isFinished {
            if !chunk.isEmpty {
                context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: chunk)))), promise: nil)
            }
            fullScrape = nil
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
            return
        }
        let buffer = context.channel.allocator.buffer(bytes: chunk)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer)))).assumeIsolated().whenComplete { result in
            switch result {
            case .success:
                self.sendFullScrape(stream, keepAlive: keepAlive, context: context)
            case .failure:
                self.fullScrape = nil
                context.close(promise: nil)
            }
        }
    }
}
