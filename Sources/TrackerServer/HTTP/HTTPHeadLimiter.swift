import NIOCore

/// Sits next to the socket, before NIO's HTTP decoder: counts the bytes of each request head and
/// answers 431 when a head passes the limit, before the decoder ever buffers it. It also counts
/// bytes in and out for the loop's statistics.
///
/// A head ends at an empty line (CRLF CRLF or LF LF, opentracker accepts both). Only GET is served,
/// so request bodies are not expected; a body's bytes count towards the next "head".
final class HTTPHeadLimiter: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let limit: Int
    private let statistics: HTTPStatistics
    private var headBytes = 0
    private var atLineStart = true
    private var tripped = false

    static let response = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/html\r\n"
        + "Content-Length: 51\r\nConnection: close\r\n\r\n<title>431 Request Header Fields Too Large</title>\n"

    init(limit: Int, statistics: HTTPStatistics) {
        self.limit = limit
        self.statistics = statistics
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !tripped else { return }
        let buffer = unwrapInboundIn(data)
        statistics.count(.bytesIn, by: UInt64(buffer.readableBytes))
        for byte in buffer.readableBytesView {
            headBytes += 1
            switch byte {
            case UInt8(ascii: "\n"):
                if atLineStart {
                    headBytes = 0  // end of this head; the next request starts fresh
                }
                atLineStart = true
            case UInt8(ascii: "\r"):
                break
            default:
                atLineStart = false
            }
            if headBytes > limit {
                trip(context: context)
                return
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .byteBuffer(let buffer): statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        case .fileRegion(let region): statistics.count(.bytesOut, by: UInt64(region.readableBytes))
        }
        context.write(data, promise: promise)
    }

    private func trip(context: ChannelHandlerContext) {
        tripped = true
        statistics.count(.other, .headTooLarge)
        let buffer = context.channel.allocator.buffer(string: Self.response)
        context.writeAndFlush(wrapOutboundOut(.byteBuffer(buffer))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
