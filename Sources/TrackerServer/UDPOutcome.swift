/// What a UDP worker counts. Each outcome of a datagram lands in exactly one of `responses`,
/// `rejects` (answered with an error) or `drops` (not answered), so operators can reconcile totals.
public enum UDPOutcome: Int, CaseIterable, Sendable {
    /// `error` answers a malformed request; `denied` an announce the access list refuses.
    case connect, announce, scrape, error, denied
}
