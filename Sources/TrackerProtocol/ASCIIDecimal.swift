// Unsigned decimal text, most significant digit first and without leading zeros (BEP 3 integers,
// full-scrape numbers, HTTP status codes): one writer for every place that emits digits. Digits
// come out from the top down, so no scratch buffer is needed and nothing allocates.
public enum ASCIIDecimal {
    /// Calls `body` with each ASCII digit of `value` in order (at most 20 calls).
    @inlinable
    public static func forEachDigit(of value: UInt64, _ body: (UInt8) -> Void) {
        var divisor: UInt64 = 1
        // At most 19 steps: 10^19 is the largest power of ten below UInt64.max.
        while value / divisor >= 10 { divisor *= 10 }
        repeat {
            body(UInt8(truncatingIfNeeded: value / divisor % 10) + UInt8(ascii: "0"))
            divisor /= 10
        } while divisor > 0
    }

    /// Appends the digits of `value` to `bytes`.
    @inlinable
    public static func append(_ value: UInt64, to bytes: inout [UInt8]) {
        forEachDigit(of: value) { bytes.append($0) }
    }
}
