/// A property every input must satisfy. A failure traps with the message, so libFuzzer records it
/// as a crash and writes the input that broke it.
public func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError("invariant broken: \(message())", file: file, line: line) }
}
