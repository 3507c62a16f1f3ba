import TrackerIO

extension TrackerService {
    /// Binds the cluster sync sockets (before any privilege drop: 9696 is unprivileged, but joining
    /// happens here too) and logs how packets are authenticated. Nil without cluster sync.
    func makeClusterSync() throws(StartupError) -> ClusterSync? {
        let cluster = configuration.cluster
        guard cluster.isEnabled else { return nil }
        let sync = try ClusterSync(
            configuration: cluster, store: store, queues: syncQueues + httpSyncQueues, statistics: clusterStatistics,
            logger: logger)
        if cluster.key == nil {
            logger.warning("cluster sync is UNAUTHENTICATED (--cluster-insecure): anyone in the allowed networks can inject peers")
        } else if cluster.insecure {
            logger.warning("cluster sync signs its packets but also accepts unsigned ones (--cluster-insecure)")
        }
        if cluster.allow.isEmpty {
            logger.warning("cluster sync accepts packets from no one: add --cluster-allow CIDR or livesync.cluster.node_ip")
        }
        logger.info(
            "cluster sync",
            metadata: ["port": "\(cluster.port)", "nodes": "\(cluster.nodes.map(\.description).joined(separator: ", "))",
                       "tracker_id": "\(sync.trackerID)", "flush_delay": "\(cluster.flushDelay)"])
        return sync
    }
}

extension TrackerService {
    /// `--cluster-state-from`: fills the store from a peer before any worker serves, so a restarted
    /// node does not answer with empty swarms for half an hour. A failure is logged, not fatal.
    func transferStateAtStart() {
        guard let peer = configuration.cluster.stateFrom else { return }
        do {
            let report = try ClusterStateTransfer.fetch(
                from: peer, key: configuration.cluster.key, into: store, now: WallClock.seconds())
            logger.info("cluster state loaded", metadata: ["from": "\(peer)", "report": "\(report)"])
        } catch {
            logger.warning("cluster state not loaded; starting with what we have", metadata: ["error": "\(error)"])
        }
    }
}

extension UDPRequestHandler {
    /// The handler with `queue` as its ring to the cluster sync thread.
    func syncing(to queue: SyncQueue?) -> UDPRequestHandler {
        var copy = self
        copy.sync = queue
        return copy
    }
}
