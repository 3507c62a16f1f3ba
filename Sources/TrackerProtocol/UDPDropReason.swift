// Why a datagram is never answered. Each reason is a counter in the server (opentracker counts
// every outcome); the server adds its own reasons to this list rather than inventing counters.
public enum UDPDropReason: Int, CaseIterable, Hashable, Sendable {
    /// Shorter than 16 bytes: not even a transaction_id to answer to.
    case tooShort
    /// Connect request without BEP 15's magic protocol_id 0x41727101980: not a BEP 15 client.
    case badProtocolID
    /// Announce, scrape or reject whose connection_id does not validate (set by the server). Never
    /// answered, so the tracker cannot be used as an amplifier (DESIGN.md).
    case badConnectionID
    /// Source port 0 (set by the server): such a sender cannot receive a reply, and answering
    /// would only feed reflection tricks.
    case sourcePortZero
    /// Source address neither IPv4 nor IPv6 (set by the server).
    case unknownFamily
}
