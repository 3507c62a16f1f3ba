import NIOCore
import NIOHTTP1

/// Times each request from its head leaving NIO's decoder to the first bytes of its response
/// being written, into the loop's `HTTPLatencyHistogram`. It sits between the decoder and
/// `HTTPTrackerHandler` and passes everything through unchanged.
///
/// Responses leave in request order (pipelining), so the oldest pending start belongs to the next
/// response. A streamed full scrape writes several buffers; only the first finds a start.
final class HTTPLatencyHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let histogram: HTTPLatencyHistogram
    /// Start times (monotonic ns) of requests not answered yet, oldest first.
    private var pending = CircularBuffer<UInt64>(initialCapacity: 4)

    init(histogram: HTTPLatencyHistogram) {
        self.histogram = histogram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { pending.append(NIODeadline.now().uptimeNanoseconds) }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if let start = pending.popFirst() {
            let now = NIODeadline.now().uptimeNanoseconds
            histogram.record(nanoseconds: now >= start ? now - start : 0)
        }
        context.write(data, promise: promise)
    }
}
