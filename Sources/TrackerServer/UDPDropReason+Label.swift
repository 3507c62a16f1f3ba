import TrackerProtocol

/// Why a datagram got no answer: the parser's reasons and the worker's share one enum
/// (`UDPDropReason`), so every reason is counted under one name.
extension UDPDropReason {
    /// The Prometheus label value: snake_case like every other label.
    var label: String {
        switch self {
        case .tooShort: "too_short"
        case .badProtocolID: "bad_protocol_id"
        case .badConnectionID: "bad_connection_id"
        case .sourcePortZero: "source_port_zero"
        case .unknownFamily: "unknown_family"
        }
    }
}
