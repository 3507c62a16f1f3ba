// Outcome of parsing one datagram. Untrusted bytes never throw or trap (STYLE.md): every packet ends
// in exactly one of these, and rejects and drops carry a reason the server counts.
public enum UDPParseResult: Hashable, Sendable {
    case request(UDPRequest)
    /// Answerable with an error packet, but only once the connection ID validates: an unvalidated
    /// answer would let a spoofed source use the tracker as a reflector.
    case reject(ConnectionID, TransactionID, UDPRejectReason)
    /// Never answered.
    case drop(UDPDropReason)
}
