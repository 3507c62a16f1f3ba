// BEP 15 `action` field: offset 8 in requests, offset 0 in responses.
public enum UDPAction: UInt32, Hashable, Sendable, CaseIterable {
    case connect = 0
    case announce = 1
    case scrape = 2
    // BEP 15: only ever sent by a tracker; a request carrying it is an unknown action.
    case error = 3
}
