/// What one `clean(shard:now:)` call removed.
public struct CleanReport: Sendable, Equatable {
    public var peersRemoved: Int
    public var torrentsRemoved: Int

    public init(peersRemoved: Int = 0, torrentsRemoved: Int = 0) {
        self.peersRemoved = peersRemoved
        self.torrentsRemoved = torrentsRemoved
    }

    public static func + (lhs: CleanReport, rhs: CleanReport) -> CleanReport {
        CleanReport(peersRemoved: lhs.peersRemoved + rhs.peersRemoved,
                    torrentsRemoved: lhs.torrentsRemoved + rhs.torrentsRemoved)
    }
}
