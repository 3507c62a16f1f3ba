// BEP 15 announce `event` field (offset 80). BEP 15 defines only these four values; anything else is
// treated as a regular interval announce (`.none`) rather than refused, as opentracker does.
public enum AnnounceEvent: UInt32, Hashable, Sendable, CaseIterable {
    case none = 0
    case completed = 1
    case started = 2
    case stopped = 3

    /// Never fails: unknown values from the wire are a regular announce.
    public init(wireValue: UInt32) {
        self = AnnounceEvent(rawValue: wireValue) ?? .none
    }
}
