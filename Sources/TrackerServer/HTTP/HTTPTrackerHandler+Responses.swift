import NIOCore
import NIOHTTP1
import TrackerProtocol

/// The `Content-Type` values the front sends (the full scrape's comes from its format).
enum HTTPContentType {
    case plain, html, prometheus

    var value: StaticString {
        switch self {
        case .plain: "text/plain"
        case .html: "text/html"
        case .prometheus: "text/plain; version=0.0.4; charset=utf-8"
        }
    }
}

/// Responses are encoded here, straight into one `ByteBuffer`, instead of going through
/// `HTTPResponseHead`/`HTTPHeaders` and NIO's encoder: the header names are constants and the
/// values numbers or operator configuration, so there is nothing to validate or escape, and one
/// buffer is one write. The bytes are what NIO's encoder sent.
extension HTTPTrackerHandler {
    func respond(
        _ status: HTTPResponseStatus, contentType: HTTPContentType?, body: [UInt8], head: HTTPRequestHead,
        context: ChannelHandlerContext, extraHeaders: [(StaticString, String)] = []
    ) {
        let keepAlive = head.isKeepAlive
        let http10 = head.version.major == 1 && head.version.minor == 0
        var buffer = loop.takeResponseBuffer()
        // Every ByteBuffer write checks its storage is unique: the announce reply's head
        // (200, text/plain, HTTP/1.1) is three writes.
        if status == .ok, !http10, contentType == .plain {
            buffer.writeStaticString("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ")
        } else {
            Self.writeStatusLine(status, http10: http10, into: &buffer)
            if let contentType { Self.writeHeader("Content-Type", contentType.value, into: &buffer) }
            buffer.writeStaticString("Content-Length: ")
        }
        buffer.writeString(String(body.count))
        if extraHeaders.isEmpty && !http10 {
            buffer.writeStaticString(keepAlive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        } else {
            buffer.writeStaticString("\r\n")
            for (name, value) in extraHeaders {
                buffer.writeStaticString(name)
                buffer.writeStaticString(": ")
                buffer.writeString(value)
                buffer.writeStaticString("\r\n")
            }
            if !keepAlive {
                buffer.writeStaticString("Connection: close\r\n")
            } else if http10 {
                buffer.writeStaticString("Connection: keep-alive\r\n")
            }
            buffer.writeStaticString("\r\n")
        }
        buffer.writeBytes(body)
        send(buffer, close: !keepAlive, context: context)
    }

    /// Writes a complete response. A keep-alive response waits for the flush at the end of the
    /// read batch; a closing one is flushed now and the connection closed once it is written.
    func send(_ buffer: ByteBuffer, close: Bool, context: ChannelHandlerContext) {
        loop.statistics.count(.bytesOut, by: UInt64(buffer.readableBytes))
        connection.lastActive = loop.idle.tick
        loop.keepResponseBuffer(buffer)
        guard close else {
            context.write(wrapOutboundOut(buffer), promise: nil)
            unflushed = true
            return
        }
        closing = true
        unflushed = false
        context.writeAndFlush(wrapOutboundOut(buffer)).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    /// opentracker's error page: `<title>400 Invalid Request</title>\n`, text/html.
    func error(
        _ status: HTTPResponseStatus, action: HTTPAction, head: HTTPRequestHead, context: ChannelHandlerContext,
        extraHeaders: [(StaticString, String)] = []
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
        respond(status, contentType: .html, body: body, head: head, context: context, extraHeaders: extraHeaders)
    }

    static func writeStatusLine(_ status: HTTPResponseStatus, http10: Bool, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(http10 ? "HTTP/1.0 " : "HTTP/1.1 ")
        if status == .ok {
            buffer.writeStaticString("200 OK\r\n")
            return
        }
        writeDecimal(Int(status.code), into: &buffer)
        buffer.writeStaticString(" ")
        buffer.writeString(status.reasonPhrase)
        buffer.writeStaticString("\r\n")
    }

    static func writeHeader(_ name: StaticString, _ value: StaticString, into buffer: inout ByteBuffer) {
        buffer.writeStaticString(name)
        buffer.writeStaticString(": ")
        buffer.writeStaticString(value)
        buffer.writeStaticString("\r\n")
    }

    static func writeDecimal(_ value: Int, into buffer: inout ByteBuffer) {
        ASCIIDecimal.forEachDigit(of: UInt64(value)) { buffer.writeInteger($0) }
    }
}
