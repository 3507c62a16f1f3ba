// A well-formed BEP 15 request. The connection_id of announce and scrape is not yet validated:
// that needs the client address and the key, which live in TrackerCore and TrackerServer.
public enum UDPRequest: Hashable, Sendable {
    case connect(ConnectRequest)
    case announce(AnnounceRequest)
    case scrape(ScrapeRequest)
}
