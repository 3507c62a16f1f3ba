import TrackerProtocol

/// The parts of an announce the store needs; the server fills it from a parsed request.
public struct Announce: Sendable {
    public var infoHash: InfoHash
    public var event: AnnounceEvent
    /// `left == 0`.
    public var isSeeder: Bool
    /// Already clamped by the protocol layer; the store further limits it to the room in the buffer.
    public var numWant: Int

    public init(infoHash: InfoHash, event: AnnounceEvent, isSeeder: Bool, numWant: Int) {
        self.infoHash = infoHash
        self.event = event
        self.isSeeder = isSeeder
        self.numWant = numWant
    }
}
