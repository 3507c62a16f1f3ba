/// A start-up failure with the context an operator needs, e.g.
/// "bind udp 127.0.0.1:6969: Address already in use".
public struct StartupError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
