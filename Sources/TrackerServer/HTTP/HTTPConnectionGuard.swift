import NIOCore

/// The first handler of every connection, next to the socket and before NIO's HTTP decoder. It
/// enforces the limits that are about the connection rather than a request:
///
/// - head size: counts the bytes of each request head, its final empty line included, and answers
///   431 when a head passes the limit, before the decoder ever buffers it. A head ends at an empty
///   line (CRLF CRLF or LF LF, opentracker accepts both). Only GET is served, so request bodies are
///   not expected; a body's bytes count towards the next "head".
/// - head time: the loop tick of a head's first byte; the sweeper closes a connection whose head
///   is not complete within `headTimeout` (a slowloris client resets the idle timer with every byte).
/// - the per-address connection count (`HTTPAddressLimiter`), released on close.
/// - idle timeout: records the loop's idle tick on every read (the tracker handler does so on every
///   write) and sits in the loop's `HTTPIdleSweeper`, which closes it once it has seen neither for
///   `idleTimeout`. One repeating task per loop replaces NIO's `IdleStateHandler`, which scheduled
///   a task per connection and allocated a promise per write to see it complete.
/// - the open-connection count, released when the channel goes inactive.
///
/// It is inbound only, so writes, flushes and reads never pass through it.
final class HTTPConnectionGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    private let loop: HTTPLoopContext
    private let openConnections: AtomicCounter
    /// This connection's place in the per-address count; nil when exempt or unlimited.
    private var addressSlot: (limiter: HTTPAddressLimiter, key: UInt64)?
    private var headBytes = 0
    private var atLineStart = true
    private var tripped = false
    private var counted = true
    /// The loop's idle tick of the last read or write (`HTTPIdleSweeper`).
    var lastActive: Int
    /// The loop's idle tick when the request head now arriving began; -1 between heads.
    private(set) var headStarted = -1
    /// This connection's slot in the loop's sweeper, -1 when not registered.
    var sweeperSlot = -1
    private(set) var context: ChannelHandlerContext?

    static let response = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/html\r\n"
        + "Content-Length: 51\r\nConnection: close\r\n\r\n<title>431 Request Header Fields Too Large</title>\n"

    /// `openConnections` (and `addressSlot`'s limiter) have already counted this connection; the
    /// guard releases them on close.
    init(
        limit: Int, loop: HTTPLoopContext, openConnections: AtomicCounter,
        addressSlot: (limiter: HTTPAddressLimiter, key: UInt64)? = nil
    ) {
        self.limit = limit
        self.loop = loop
        self.openConnections = openConnections
        self.addressSlot = addressSlot
        self.lastActive = loop.idle.tick
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        loop.idle.register(self)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        release()
        self.context = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        release()
        context.fireChannelInactive()
    }

    private func release() {
        loop.idle.unregister(self)
        if counted {
            counted = false
            openConnections.value.subtract(1, ordering: .relaxed)
        }
        if let (limiter, key) = addressSlot {
            addressSlot = nil
            limiter.release(key)
        }
    }

    /// Called by the sweeper on the loop's thread.
    func closeIdle() {
        loop.statistics.count(.idleTimeout)
        context?.close(promise: nil)
    }

    /// Called by the sweeper on the loop's thread: the head took longer than `headTimeout`.
    func closeSlowHead() {
        loop.statistics.count(.headTimeout)
        context?.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !tripped else { return }
        lastActive = loop.idle.tick
        let buffer = unwrapInboundIn(data)
        loop.statistics.count(.bytesIn, by: UInt64(buffer.readableBytes))
        // Locals, not the stored properties, in the loop: a class property access per byte is a
        // dynamic exclusivity check.
        var headBytes = self.headBytes
        var atLineStart = self.atLineStart
        var headEnded = false
        let limit = self.limit
        let overLimit = buffer.withUnsafeReadableBytes { bytes -> Bool in
            // SAFETY: `bytes` is the buffer's readable region, only read inside this closure.
            for byte in bytes {
                headBytes += 1
                // Checked before a head's end resets the count: the final empty line counts too.
                if headBytes > limit { return true }
                switch byte {
                case UInt8(ascii: "\n"):
                    if atLineStart {
                        headBytes = 0  // end of this head; the next request starts fresh
                        headEnded = true
                    }
                    atLineStart = true
                case UInt8(ascii: "\r"):
                    break
                default:
                    atLineStart = false
                }
            }
            return false
        }
        self.headBytes = headBytes
        self.atLineStart = atLineStart
        if overLimit { return trip(context: context) }
        if headBytes == 0 {
            headStarted = -1
        } else if headStarted < 0 || headEnded {
            headStarted = loop.idle.tick  // a head began in this read
        }
        context.fireChannelRead(data)
    }

    private func trip(context: ChannelHandlerContext) {
        tripped = true
        loop.statistics.count(.other, .headTooLarge)
        let buffer = context.channel.allocator.buffer(string: Self.response)
        loop.statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        context.writeAndFlush(NIOAny(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }
}
