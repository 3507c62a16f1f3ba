import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerProtocol

/// One connection's request handler, behind NIO's HTTP/1 decoder. It writes each response as one
/// `ByteBuffer` it encodes itself (status line, headers and body: one `write` syscall) and flushes
/// once per read batch, so pipelined requests leave in one write too.
///
/// Pipelining: every answer except a full scrape is produced synchronously in `channelRead`, so
/// responses leave in request order. While a full scrape streams, later requests are queued and
/// reading stops (`autoRead` off) until it ends; then the queue is answered in order.
/// A malformed request (the decoder's `HTTPParserError`) gets `400` and the connection is closed,
/// as NIO's `HTTPServerProtocolErrorHandler` did. After a response that closes the connection,
/// further requests on it are ignored.
final class HTTPTrackerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = ByteBuffer

    let shared: HTTPSharedServices
    let loop: HTTPLoopContext
    let connection: HTTPConnectionGuard
    /// The TCP peer, read once when the connection opens.
    var tcpPeer: PeerAddress?
    var head: HTTPRequestHead?
    var fullScrape: HTTPFullScrapeStream?
    /// Requests that arrived while a full scrape was streaming, answered when it ends.
    var queued: [HTTPRequestHead] = []
    /// Responses written since the last flush.
    var unflushed = false
    /// A response asked for the connection to close; later requests are not answered.
    var closing = false

    init(shared: HTTPSharedServices, loop: HTTPLoopContext, connection: HTTPConnectionGuard) {
        self.shared = shared
        self.loop = loop
        self.connection = connection
    }

    func handlerAdded(context: ChannelHandlerContext) {
        tcpPeer = HTTPPeerAddress.peerAddress(context.channel.remoteAddress)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            guard !closing else { return }
            if fullScrape != nil {
                queued.append(head)
            } else {
                handle(head, context: context)
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushIfNeeded(context: context)
        context.fireChannelReadComplete()
    }

    func flushIfNeeded(context: ChannelHandlerContext) {
        if unflushed {
            unflushed = false
            context.flush()
        }
    }

    /// A full scrape ended on a keep-alive connection: answer what queued up behind it, in order,
    /// and read again.
    func fullScrapeEnded(context: ChannelHandlerContext) {
        while fullScrape == nil, !closing, !queued.isEmpty {
            handle(queued.removeFirst(), context: context)
        }
        flushIfNeeded(context: context)
        if fullScrape == nil, !closing {
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // Only a parser error is answered, and only between responses (a full scrape may be
        // mid-body); anything else (a reset, a failed write) just closes.
        guard error is HTTPParserError else { return context.close(promise: nil) }
        loop.statistics.count(.malformed)
        guard fullScrape == nil, !closing else { return context.close(promise: nil) }
        closing = true
        unflushed = false
        let buffer = context.channel.allocator.buffer(staticString: Self.badRequestClose)
        loop.statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        connection.lastActive = loop.idle.tick
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// NIO's `HTTPServerProtocolErrorHandler` answer to a malformed request.
    static let badRequestClose: StaticString = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

    /// The address a request speaks for (announces, `/stats` and `/metrics` access, the full-scrape
    /// limit): the TCP peer, or behind trusted proxies the right-most untrusted `X-Forwarded-For`
    /// address. opentracker believes the first address, which any client behind an appending
    /// proxy can write.
    func clientAddress(_ head: HTTPRequestHead) -> PeerAddress? {
        guard let tcpPeer else { return nil }
        let trusted = shared.configuration.trustedProxy
        guard trusted(tcpPeer) else { return tcpPeer }
        return HTTPPeerAddress.forwardedClient(head.headers["X-Forwarded-For"], behind: tcpPeer, trusted: trusted)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET, let client = clientAddress(head) else {
            return error(.badRequest, action: .other, head: head, context: context)
        }
        // RFC 9112 §3.2: an HTTP/1.1 request without Host is answered 400 (HTTP/1.0 needs none).
        guard head.version != .http1_1 || head.headers.contains(name: "Host") else {
            loop.statistics.count(.missingHost)
            return error(.badRequest, action: .other, head: head, context: context)
        }
        let target = Array(head.uri.utf8)
        let (path, query) = HTTPRoute.split(target: target)
        let configuration = shared.configuration
        switch HTTPRoute.route(path: path, query: query, statsPath: configuration.statsPath) {
        case .announce:
            announce(query: query, client: client, head: head, context: context)
        case .scrape:
            scrape(query: query, head: head, context: context)
        case .fullScrape:
            startFullScrape(query: query, client: client, head: head, context: context)
        case .stats:
            guard configuration.statsAllowed(client) else {
                return error(.forbidden, action: .stats, head: head, context: context)
            }
            switch HTTPStatsRequest.parse(query: query) {
            case .invalid(let reason):
                loop.statistics.count(reason)
                error(.badRequest, action: .stats, head: head, context: context)
            case .mode(let mode, let format):
                loop.statistics.count(.stats, .ok)
                // opentracker serves these two through its full-scrape worker; so do we (streamed).
                if mode == .statedump { return streamFullScrape(format: .statedump, head: head, context: context) }
                if mode == .tpbs { return streamFullScrape(format: format ?? .ben, head: head, context: context) }
                let body = HTTPStatsPage(shared: shared).render(mode)
                respond(.ok, contentType: .plain, body: Array(body.utf8), head: head, context: context)
            }
        case .metrics:
            guard configuration.metricsPublic || configuration.statsAllowed(client) else {
                return error(.forbidden, action: .metrics, head: head, context: context)
            }
            loop.statistics.count(.metrics, .ok)
            respond(
                .ok, contentType: .prometheus,
                body: HTTPMetricsPage(shared: shared).render(), head: head, context: context)
        case .clusterState:
            clusterState(client: client, head: head, context: context)
        case .root:
            guard let url = configuration.redirectURL else {
                return error(.notFound, action: .root, head: head, context: context)
            }
            loop.statistics.count(.root, .redirect)
            respond(.found, contentType: nil, body: [], head: head, context: context, extraHeaders: [("Location", url)])
        case .notFound:
            error(.notFound, action: .other, head: head, context: context)
        }
    }

    private func scrape(query: ArraySlice<UInt8>?, head: HTTPRequestHead, context: ChannelHandlerContext) {
        switch HTTPScrapeRequest.parse(query: query) {
        case .invalid(let reason):
            loop.statistics.count(reason)
            error(.badRequest, action: .scrape, head: head, context: context)
        case .request(let request):
            let entries = request.infoHashes.map { hash in
                let counts = shared.store.scrape(hash)
                return (hash, seeders: counts.seeders, leechers: counts.leechers, downloaded: counts.downloaded)
            }
            loop.statistics.count(.scrape, .ok)
            respond(.ok, contentType: .plain, body: HTTPBencode.scrape(entries), head: head, context: context)
        }
    }
}
