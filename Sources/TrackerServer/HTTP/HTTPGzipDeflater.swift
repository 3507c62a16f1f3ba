import CZlib

/// A gzip stream for one full scrape: zlib's deflate with windowBits 31 (15 + 16 = gzip wrapper),
/// opentracker's level 7 and memLevel 9. Owns its `z_stream`, freed in deinit.
final class HTTPGzipDeflater: HTTPBodyCompressor {
    let contentEncoding = "gzip"
    private let stream: UnsafeMutablePointer<z_stream>
    private var finished = false

    /// nil when zlib cannot allocate its state.
    init?() {
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        // SAFETY: `stream` was just allocated for one z_stream; zero-filling it gives zlib the
        // Z_NULL zalloc/zfree/opaque it expects before deflateInit2_.
        unsafe stream.initialize(to: z_stream())
        let status = unsafe deflateInit2_(
            stream, 7, Z_DEFLATED, 31, 9, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            unsafe stream.deallocate()
            return nil
        }
    }

    deinit {
        // SAFETY: initialised by deflateInit2_ in init (a failed init deallocated and returned nil).
        unsafe deflateEnd(stream)
        unsafe stream.deallocate()
    }

    /// Compresses `input` and returns whatever output zlib has ready; `finish` flushes the trailer.
    func compress(_ input: [UInt8], finish: Bool) -> [UInt8] {
        guard !finished else { return [] }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        var input = input
        input.withUnsafeMutableBufferPointer { inBuffer in
            // SAFETY: `inBuffer` outlives every deflate call below; zlib only reads next_in.
            unsafe stream.pointee.next_in = inBuffer.baseAddress
            unsafe stream.pointee.avail_in = UInt32(inBuffer.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBufferPointer { outBuffer -> (Int32, Int) in
                    // SAFETY: zlib writes at most avail_out bytes at next_out, inside `outBuffer`.
                    unsafe stream.pointee.next_out = outBuffer.baseAddress
                    unsafe stream.pointee.avail_out = UInt32(outBuffer.count)
                    let status = unsafe deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                    return (status, outBuffer.count - Int(unsafe stream.pointee.avail_out))
                }
                output.append(contentsOf: chunk[0..<produced])
                if status == Z_STREAM_END {
                    finished = true
                    break
                }
                // Z_BUF_ERROR only means "no progress possible": all input consumed, room left.
                if status != Z_OK && status != Z_BUF_ERROR { break }
                if unsafe stream.pointee.avail_out != 0 && !finish { break }
                if unsafe stream.pointee.avail_out != 0 && finish && status == Z_BUF_ERROR { break }
            }
            // SAFETY: do not leave a dangling pointer to `inBuffer` in the stream.
            unsafe stream.pointee.next_in = nil
            unsafe stream.pointee.avail_in = 0
        }
        return output
    }
}
