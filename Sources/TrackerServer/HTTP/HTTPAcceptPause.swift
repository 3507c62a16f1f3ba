import Glibc
import NIOCore

/// The listener's only handler of its own: when accept(2) fails for want of descriptors or memory
/// (EMFILE, ENFILE, ENOBUFS, ENOMEM), it stops the listener reading (NIO then takes it out of
/// epoll) and resumes after `backoff`.
///
/// Without it the loop spins: the failed accept leaves the listener ready, epoll reports it again
/// at once, and NIO keeps its read pending, so NIO's own `AcceptBackoffHandler` (which delays the
/// *next* read) never gets a say. opentracker has the same spin (its bug 13).
final class HTTPAcceptPause: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = Channel

    /// Four attempts a second cost nothing, and a closed connection frees a descriptor well within it.
    static let backoff = TimeAmount.milliseconds(250)

    private let statistics: HTTPStatistics
    private var paused = false

    init(statistics: HTTPStatistics) {
        self.statistics = statistics
    }

    static func isExhaustion(_ error: any Error) -> Bool {
        guard let error = error as? IOError else { return false }
        return [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.errnoCode)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard Self.isExhaustion(error) else { return context.fireErrorCaught(error) }
        guard !paused, let options = context.channel.syncOptions else { return }
        paused = true
        statistics.count(.acceptPaused)
        try? options.setOption(.autoRead, value: false)
        let channel = context.channel
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.backoff) {
            self.paused = false
            try? channel.syncOptions?.setOption(.autoRead, value: true)
        }
    }
}
