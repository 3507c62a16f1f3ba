import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerProtocol

/// One connection's request handler, behind NIO's decoder and pipelining assistant (which hands it
/// one request at a time and holds pipelined ones until the previous response has ended).
final class HTTPTrackerHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    let shared: HTTPShared
    let loop: HTTPLoopContext
    /// The TCP peer, read once when the connection opens.
    var tcpPeer: PeerAddress?
    var head: HTTPRequestHead?
    var fullScrape: HTTPFullScrapeStream?

    init(shared: HTTPShared, loop: HTTPLoopContext) {
        self.shared = shared
        self.loop = loop
    }

    func channelActive(context: ChannelHandlerContext) {
        tcpPeer = HTTPPeerAddress.peerAddress(context.channel.remoteAddress)
        context.fireChannelActive()
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
            handle(head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            loop.statistics.count(.idleTimeout)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    /// The address a request speaks for: the TCP peer, or for a trusted proxy the first
    /// `X-Forwarded-For` address (unparsable → the proxy itself, as opentracker).
    func clientAddress(_ head: HTTPRequestHead) -> PeerAddress? {
        guard let tcpPeer else { return nil }
        if shared.configuration.trustedProxy(tcpPeer),
            let forwarded = HTTPPeerAddress.forwardedFor(head.headers["X-Forwarded-For"])
        {
            return forwarded
        }
        return tcpPeer
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard head.method == .GET, let client = clientAddress(head) else {
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
            case .mode(let mode):
                loop.statistics.count(.stats, .ok)
                let body = HTTPStatsPage(shared: shared).render(mode)
                respond(.ok, contentType: "text/plain", body: Array(body.utf8), head: head, context: context)
            }
        case .metrics:
            guard configuration.metricsPublic || configuration.statsAllowed(client) else {
                return error(.forbidden, action: .metrics, head: head, context: context)
            }
            loop.statistics.count(.metrics, .ok)
            respond(
                .ok, contentType: "text/plain; version=0.0.4; charset=utf-8",
                body: HTTPMetricsPage(shared: shared).render(), head: head, context: context)
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
            respond(.ok, contentType: "text/plain", body: HTTPBencode.scrape(entries), head: head, context: context)
        }
    }

    // MARK: responses

    func respond(
        _ status: HTTPResponseStatus, contentType: String?, body: [UInt8], head: HTTPRequestHead,
        context: ChannelHandlerContext, extraHeaders: [(String, String)] = []
    ) {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        headers.add(name: "Content-Length", value: String(body.count))
        for (name, value) in extraHeaders { headers.add(name: name, value: value) }
        let keepAlive = head.isKeepAlive
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if head.version.major == 1 && head.version.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version == .http1_0 ? .http1_0 : .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            done.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    /// opentracker's error page: `<title>400 Invalid Request</title>\n`, text/html.
    func error(
        _ status: HTTPResponseStatus, action: HTTPAction, head: HTTPRequestHead, context: ChannelHandlerContext,
        extraHeaders: [(String, String)] = []
    ) {
        let outcome: HTTPOutcome =
            switch status {
            case .forbidden: .forbidden
            case .notFound: .notFound
            case .tooManyRequests: .tooManyRequests
            default: .badRequest
            }
        loop.statistics.count(action, outcome)
        let body = Array("<title>\(status.code) \(status.reasonPhrase)</title>\n".utf8)
        respond(status, contentType: "text/html", body: body, head: head, context: context, extraHeaders: extraHeaders)
    }
}
