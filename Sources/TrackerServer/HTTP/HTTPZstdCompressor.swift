import CZstd

/// A zstd stream for one full scrape (`Content-Encoding: zstd`, RFC 8878), at opentracker's
/// level 6. Owns its `ZSTD_CCtx`, freed in deinit.
final class HTTPZstdCompressor: HTTPBodyCompressor {
    static let level: Int32 = 6
    let contentEncoding = "zstd"
    private let context: OpaquePointer
    private var finished = false

    /// nil when zstd cannot allocate its context.
    init?() {
        guard let context = ZSTD_createCCtx() else { return nil }
        self.context = context
        guard ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Self.level)) == 0 else {
            ZSTD_freeCCtx(context)
            return nil
        }
    }

    deinit { ZSTD_freeCCtx(context) }

    func compress(_ input: [UInt8], finish: Bool) -> [UInt8] {
        guard !finished else { return [] }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        input.withUnsafeBytes { inBuffer in
            // SAFETY: `inBuffer` outlives every call below; zstd only reads `src` up to `size`.
            var source = unsafe ZSTD_inBuffer(src: inBuffer.baseAddress, size: inBuffer.count, pos: 0)
            while true {
                let (remaining, produced) = chunk.withUnsafeMutableBytes { outBuffer -> (Int, Int) in
                    // SAFETY: zstd writes at most `size` bytes at `dst`, inside `outBuffer`.
                    var destination = unsafe ZSTD_outBuffer(dst: outBuffer.baseAddress, size: outBuffer.count, pos: 0)
                    let result = unsafe ZSTD_compressStream2(context, &destination, &source, finish ? ZSTD_e_end : ZSTD_e_continue)
                    return (ZSTD_isError(result) != 0 ? -1 : result, destination.pos)
                }
                output.append(contentsOf: chunk[0..<produced])
                if remaining < 0 { break }
                if finish {
                    // ZSTD_e_end returns 0 once the frame, epilogue included, is fully flushed.
                    if remaining == 0 {
                        finished = true
                        break
                    }
                } else if source.pos == source.size {
                    break
                }
            }
        }
        return output
    }
}

/// A streaming `Content-Encoding` for full scrapes: gzip (zlib) or zstd.
protocol HTTPBodyCompressor: AnyObject {
    var contentEncoding: String { get }
    /// Compresses `input` and returns whatever output is ready; `finish` ends the stream.
    func compress(_ input: [UInt8], finish: Bool) -> [UInt8]
}

enum HTTPContentCoding {
    /// The full-scrape encoding for an `Accept-Encoding` header: zstd if offered (it wins, as in
    /// opentracker), else gzip, else none (identity). A coding listed with `q=0` is refused (RFC 9110 §12.5.3).
    static func choose(_ acceptEncoding: [String]) -> String? {
        var offered: Set<String> = []
        for value in acceptEncoding {
            for item in value.split(separator: ",") {
                let parts = item.split(separator: ";").map { $0.trimmingASCIIWhitespace().lowercased() }
                guard let name = parts.first, !name.isEmpty else { continue }
                let refused = parts.dropFirst().contains { parameter in
                    let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingASCIIWhitespace() }
                    return pair.count == 2 && pair[0] == "q" && (Double(pair[1]) ?? 1) == 0
                }
                if !refused { offered.insert(name) }
            }
        }
        if offered.contains("zstd") { return "zstd" }
        if offered.contains("gzip") || offered.contains("x-gzip") { return "gzip" }
        return nil
    }

    static func compressor(for coding: String?) -> HTTPBodyCompressor? {
        switch coding {
        case "zstd": HTTPZstdCompressor()
        case "gzip": HTTPGzipDeflater()
        default: nil
        }
    }
}
