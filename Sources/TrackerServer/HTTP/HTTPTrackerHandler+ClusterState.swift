import NIOCore
import NIOHTTP1
import TrackerCore
import TrackerIO

/// Who may fetch `/cluster-state`: the cluster's allowed networks, with the cluster key if any.
public struct ClusterStateAccess: Sendable {
    public var allowed: @Sendable (PeerAddress) -> Bool
    public var key: [UInt8]?

    public init(allowed: @escaping @Sendable (PeerAddress) -> Bool, key: [UInt8]?) {
        self.allowed = allowed
        self.key = key
    }

    init(_ cluster: ClusterConfiguration) {
        let networks = cluster.allow
        self.init(allowed: { networks.containsAddress($0) }, key: cluster.key)
    }
}

extension HTTPTrackerHandler {
    /// The whole store in the snapshot format, encoded on this event loop (one shard lock at a
    /// time). Rare (a node starting) and bounded by the store's size.
    func clusterState(client: PeerAddress, head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let access = shared.configuration.clusterState else {
            return error(.notFound, action: .other, head: head, context: context)
        }
        guard access.allowed(client) else { return error(.forbidden, action: .other, head: head, context: context) }
        let now = WallClock.seconds()
        if let key = access.key {
            guard let token = head.headers["X-Cluster-Auth"].first,
                  ClusterStateTransfer.isValidToken(token, key: key, now: now) else {
                return error(.forbidden, action: .other, head: head, context: context)
            }
        }
        let body = Array(shared.store.encodeSnapshot(now: now).joined())
        let mac = access.key.map { ClusterStateTransfer.bodyMAC(body, key: $0) } ?? "none"
        respond(.ok, contentType: nil, body: body, head: head, context: context, extraHeaders: [("X-Cluster-MAC", mac)])
    }
}
