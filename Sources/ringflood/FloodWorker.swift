#if canImport(Glibc)
import Glibc
#endif
import TrackerIO
import TrackerProtocol


/// Peer state bits, one byte per simulated peer.
enum PeerFlag {
    static let announced: UInt8 = 1
    static let seeder: UInt8 = 2
    static let stopped: UInt8 = 4
}

/// Connection-ID state of one socket (BEP 15 §connect).
enum ConnectionState: UInt8 {
    case none = 0, pending, ready
}

/// One sending thread: owns sockets s ≡ index (mod workers), their peers, its share of the window.
/// Busy-polls (like flood2) so replies are timed to the microsecond; bounded by the controller's
/// stop phase and by `deadline`.
struct FloodWorker: ~Copyable {
    let index: Int
    let settings: FloodSettings
    let model: FloodModel
    let control: FloodControl
    let sockets: FloodSocketSet
    /// Global socket index of each local socket.
    let globalSocket: [Int]
    let peerBase: [Int]
    let peerCount: [Int]
    var peerState: [UInt8]
    var warmCursor: [Int]
    var connection: [ConnectionState]
    var connectionID: [UInt64]
    var connectedAt: [UInt64]
    var table: TransactionTable
    var random: FloodRandom
    var total = FloodCounts()
    var measured = FloodCounts()
    var interval = makeLatencyHistogram()
    var measuredLatency = makeLatencyHistogram()
    var measuring = false
    var peerIDScratch = [UInt8](repeating: 0, count: 20)
    let weightTotal: Int
    /// Empty loop turns before the worker blocks in poll (about 50–100 µs of spinning).
    static let spinTurns = 64

    init(index: Int, settings: FloodSettings, model: FloodModel, control: FloodControl) throws(SystemError) {
        self.index = index
        self.settings = settings
        self.model = model
        self.control = control
        let topology = settings.topology
        let mine = Array(stride(from: index, to: topology.sockets, by: topology.workers))
        globalSocket = mine
        sockets = try FloodSocketSet(target: settings.target,
                                     sources: mine.map { settings.sources[topology.address(ofSocket: $0)] },
                                     batch: settings.batch)
        var bases = [Int]()
        var counts = [Int]()
        var next = 0
        for g in mine {
            bases.append(next)
            let n = topology.peerCount(onSocket: g)
            counts.append(n)
            next += n
        }
        peerBase = bases
        peerCount = counts
        var states = [UInt8](repeating: 0, count: next)
        for (l, g) in mine.enumerated() {
            for j in 0..<counts[l] where model.startsAsSeeder(topology.peer(onSocket: g, index: j)) {
                states[bases[l] + j] = PeerFlag.seeder
            }
        }
        if settings.resume {
            for i in states.indices { states[i] |= PeerFlag.announced }
        }
        peerState = states
        warmCursor = settings.resume ? counts : [Int](repeating: 0, count: mine.count)
        connection = [ConnectionState](repeating: .none, count: mine.count)
        connectionID = [UInt64](repeating: 0, count: mine.count)
        connectedAt = [UInt64](repeating: 0, count: mine.count)
        let share = (settings.window + topology.workers - 1 - index) / topology.workers
        table = TransactionTable(slots: max(share, 1))
        random = FloodRandom(seed: FloodRandom.derive(seed: settings.seed, stream: 6, index: UInt64(index)))
        weightTotal = max(settings.announceWeight + settings.scrapeWeight + settings.connectWeight, 1)
    }

    var warmedUp: Bool {
        for l in 0..<warmCursor.count where warmCursor[l] < peerCount[l] { return false }
        return true
    }

    /// Loop state of `run`: timers and the open loop's token bucket.
    struct Turn {
        var nextPublish: UInt64 = 0
        var nextExpiry: UInt64 = 0
        var nextYield: UInt64 = 0
        var roundRobin = 0
        var idleTurns = 0
        /// Open loop: requests due and not yet sent, refilled at `ratePerNanosecond`.
        var tokens = 0.0
        var lastRefill: UInt64
        let ratePerNanosecond: Double
        /// Open loop: this worker's share of the warm-up window.
        let warmupShare: Int
    }

    /// Until the controller says stop (or the deadline): receive, expire lost requests, send,
    /// then yield and publish on their timers. Each phase is a function below.
    mutating func run(deadline: UInt64) throws(SystemError) {
        let mailbox = control.mailboxes[index]
        let workers = settings.topology.workers
        var turn = Turn(
            lastRefill: MonotonicClock.nanoseconds(),
            ratePerNanosecond: (settings.rate ?? 0) / Double(workers) / 1e9,
            warmupShare: max(1, (settings.warmupWindow + workers - 1 - index) / workers))
        while true {
            let phase = control.currentPhase
            var now = MonotonicClock.nanoseconds()
            if phase == .stop || now >= deadline { break }
            if phase == .measure && !measuring {
                measuring = true
                turn.tokens = 0
                turn.lastRefill = now
            }
            let ready = try receiveReplies(mayBlock: turn.idleTurns >= Self.spinTurns && !(settings.rate != nil && measuring))
            if ready > 0 { now = MonotonicClock.nanoseconds() }
            expireLostRequests(now: now, turn: &turn)
            let sent = try sendRequests(now: now, turn: &turn)
            turn.idleTurns = ready == 0 && sent == 0 ? turn.idleTurns + 1 : 0
            if now >= turn.nextYield {
                // Under SCHED_FIFO a spinning worker would starve the controller thread on its CPU.
                turn.nextYield = now + 10_000_000
                sched_yield()
            }
            if now >= turn.nextPublish {
                turn.nextPublish = now + 100_000_000
                publish(mailbox, finished: false)
            }
        }
        publish(mailbox, finished: true)
    }

    /// Receives whatever has arrived and returns how many sockets were readable. Busy-polls like
    /// flood2 (replies are timed to the µs), but after a run of empty turns with nothing to send
    /// (`mayBlock`) blocks for up to 1 ms: on a shared 2-core box a spinning flooder only steals
    /// CPU it cannot use. The open loop never blocks (poll's 1 ms granularity would turn its
    /// pacing into bursts).
    private mutating func receiveReplies(mayBlock: Bool) throws(SystemError) -> Int {
        let ready = try sockets.waitReadable(timeoutMilliseconds: mayBlock ? 1 : 0)
        let now = MonotonicClock.nanoseconds()
        for r in 0..<ready {
            let l = sockets.readySocket(r)
            for _ in 0..<8 {
                let received = try sockets.receive(socket: l)
                for entry in 0..<received { handleReply(socket: l, sockets.received(entry), now: now) }
                if received < sockets.batch { break }
            }
        }
        return ready
    }

    /// Counts requests without a reply within the timeout as lost (every 2 ms); a lost connect
    /// lets its socket connect again.
    private mutating func expireLostRequests(now: UInt64, turn: inout Turn) {
        guard now >= turn.nextExpiry else { return }
        turn.nextExpiry = now + 2_000_000
        guard now > settings.timeoutNanoseconds else { return }
        var lost: UInt64 = 0
        var dropConnects = [Int]()
        table.expire(sentBefore: now - settings.timeoutNanoseconds) { socket, kind in
            lost += 1
            if kind == .connect { dropConnects.append(socket) }
        }
        for socket in dropConnects where connection[socket] == .pending { connection[socket] = .none }
        total.lost += lost
        if measuring { measured.lost += lost }
    }

    /// Refills the window (closed loop) or sends what the rate allows (open loop, measured phase),
    /// one batch per socket in round-robin order. Returns the datagrams the kernel took.
    private mutating func sendRequests(now: UInt64, turn: inout Turn) throws(SystemError) -> Int {
        var budget = table.free
        if settings.rate != nil && !measuring {
            // Open loop: the full-speed warm-up is a closed loop with the ordinary window, so
            // no backlog of warm-up requests spills into the measured phase.
            budget = max(0, min(budget, turn.warmupShare - table.outstanding))
        }
        if settings.rate != nil, measuring {
            turn.tokens += Double(now - turn.lastRefill) * turn.ratePerNanosecond
            turn.lastRefill = now
            let due = Int(turn.tokens)
            if due > budget {
                let missed = UInt64(due - budget)
                total.windowFull += missed
                measured.windowFull += missed
                turn.tokens -= Double(due - budget)
            } else {
                budget = due
            }
        }
        let localSockets = globalSocket.count
        var visited = 0
        var sentThisTurn = 0
        while budget > 0 && visited < localSockets {
            let l = turn.roundRobin
            turn.roundRobin = turn.roundRobin + 1 == localSockets ? 0 : turn.roundRobin + 1
            visited += 1
            let prepared = prepareBatch(socket: l, limit: min(budget, sockets.batch), now: now)
            guard prepared.count > 0 else { continue }
            let sent = try sockets.send(socket: l, messages: prepared.count)
            sentThisTurn += sent
            budget -= prepared.count
            if settings.rate != nil && measuring { turn.tokens -= Double(prepared.count) }
            if sent < prepared.count {
                // The kernel refused the tail: forget those transactions.
                for entry in sent..<prepared.count { unsend(prepared.slots[entry], socket: l) }
            }
        }
        return sentThisTurn
    }

    private mutating func publish(_ mailbox: FloodControl.Mailbox, finished: Bool) {
        let warm = warmedUp
        let snapshotTotal = total
        let snapshotMeasured = measured
        let intervalCopy = interval
        let measuredCopy: LatencyHistogram? = finished ? measuredLatency : nil
        mailbox.state.withLock { box in
            box.total = snapshotTotal
            box.measured = snapshotMeasured
            box.interval.add(intervalCopy)
            box.warmedUp = warm
            if let measuredCopy {
                box.measuredLatency = measuredCopy
                box.finished = true
            }
        }
        interval.reset()
    }

    /// A prepared batch: how many send entries were filled and the slot of each.
    struct Prepared {
        var count = 0
        var slots: (Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int, Int) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        static let capacity = 16
        subscript(_ i: Int) -> Int {
            get { withUnsafeBytes(of: slots) { $0.load(fromByteOffset: i * MemoryLayout<Int>.stride, as: Int.self) } }
            set { withUnsafeMutableBytes(of: &slots) { $0.storeBytes(of: newValue, toByteOffset: i * MemoryLayout<Int>.stride, as: Int.self) } }
        }
    }

    private mutating func unsend(_ slot: Int, socket l: Int) {
        if table.kinds[slot] == RequestKind.connect.rawValue, connection[l] == .pending { connection[l] = .none }
        table.close(slot)
        total.sendRefused += 1
        if measuring { measured.sendRefused += 1 }
        total.sent -= 1
        if measuring { measured.sent -= 1 }
    }

    /// Fills up to `limit` send entries for local socket `l`. A socket without a connection ID
    /// sends one connect and nothing else until the reply comes.
    private mutating func prepareBatch(socket l: Int, limit: Int, now: UInt64) -> (count: Int, slots: Prepared) {
        var prepared = Prepared()
        let limit = min(limit, Prepared.capacity)
        switch connection[l] {
        case .pending:
            return (0, prepared)
        case .none:
            if let slot = writeConnect(socket: l, entry: 0, now: now) {
                connection[l] = .pending
                prepared[0] = slot
                prepared.count = 1
            }
            return (prepared.count, prepared)
        case .ready:
            if now &- connectedAt[l] > settings.reconnectNanoseconds {
                if let slot = writeConnect(socket: l, entry: 0, now: now) {
                    connection[l] = .pending
                    prepared[0] = slot
                    prepared.count = 1
                }
                return (prepared.count, prepared)
            }
        }
        while prepared.count < limit {
            let draw = random.nextBelow(weightTotal)
            let slot: Int?
            if draw < settings.announceWeight {
                slot = writeAnnounce(socket: l, entry: prepared.count, now: now)
            } else if draw < settings.announceWeight + settings.scrapeWeight {
                slot = writeScrape(socket: l, entry: prepared.count, now: now)
            } else {
                slot = writeConnect(socket: l, entry: prepared.count, now: now)
            }
            guard let slot else { break }
            prepared[prepared.count] = slot
            prepared.count += 1
        }
        return (prepared.count, prepared)
    }

    private mutating func countSent(_ kind: RequestKind) {
        total.sent += 1
        if measuring { measured.sent += 1 }
        switch kind {
        case .connect:
            total.connectsSent += 1
            if measuring { measured.connectsSent += 1 }
        case .announce:
            total.announcesSent += 1
            if measuring { measured.announcesSent += 1 }
        case .scrape:
            total.scrapesSent += 1
            if measuring { measured.scrapesSent += 1 }
        }
    }

    private mutating func writeConnect(socket l: Int, entry: Int, now: UInt64) -> Int? {
        guard let (slot, tid) = table.open(socket: l, kind: .connect, detail: 0, peer: -1, now: now) else { return nil }
        var span = sockets.sendBuffer(entry).mutableBytes
        let length = UDPRequestWriter.connect(TransactionID(rawValue: tid), into: &span)
        sockets.setSendLength(entry, length)
        countSent(.connect)
        return slot
    }

    private mutating func writeAnnounce(socket l: Int, entry: Int, now: UInt64) -> Int? {
        let count = peerCount[l]
        guard count > 0 else { return writeScrape(socket: l, entry: entry, now: now) }
        let j: Int
        if warmCursor[l] < count {
            j = warmCursor[l]
            warmCursor[l] += 1
        } else {
            j = random.nextBelow(count)
        }
        let peer = settings.topology.peer(onSocket: globalSocket[l], index: j)
        var state = peerState[peerBase[l] + j]
        let event: AnnounceEvent
        if state & PeerFlag.announced == 0 || state & PeerFlag.stopped != 0 {
            event = .started
            state = (state | PeerFlag.announced) & ~PeerFlag.stopped
        } else if state & PeerFlag.seeder == 0 && random.nextUnit() < settings.completedProbability {
            event = .completed
            state |= PeerFlag.seeder
        } else if random.nextUnit() < settings.stoppedProbability {
            event = .stopped
            state |= PeerFlag.stopped
        } else {
            event = .none
        }
        guard let (slot, tid) = table.open(socket: l, kind: .announce, detail: Int(settings.numWant), peer: j, now: now) else {
            if warmCursor[l] == j + 1 && warmCursor[l] <= count { warmCursor[l] = j }   // retry this first announce
            return nil
        }
        peerState[peerBase[l] + j] = state
        model.writePeerID(peer, into: &peerIDScratch)
        let isSeeder = state & PeerFlag.seeder != 0
        let request = AnnounceRequest(
            connectionID: ConnectionID(rawValue: connectionID[l]),
            transactionID: TransactionID(rawValue: tid),
            infoHash: model.infoHash(Int(model.peerTorrent[peer])),
            peerID: PeerID(peerIDScratch.span, at: 0),
            downloaded: isSeeder ? 1 << 30 : 1 << 20,
            left: isSeeder ? 0 : 1 << 30,
            uploaded: 1 << 24,
            event: event,
            ipAddress: 0,
            key: UInt32(truncatingIfNeeded: FloodRandom.mix(UInt64(peer))),
            numWant: settings.numWant,
            port: settings.topology.port(ofPeer: peer)
        )
        var span = sockets.sendBuffer(entry).mutableBytes
        let length = UDPRequestWriter.announce(request, into: &span)
        sockets.setSendLength(entry, length)
        countSent(.announce)
        return slot
    }

    private mutating func writeScrape(socket l: Int, entry: Int, now: UInt64) -> Int? {
        let hashes = 1 + random.nextBelow(max(settings.scrapeMaxHashes, 1))
        guard let (slot, tid) = table.open(socket: l, kind: .scrape, detail: hashes, peer: -1, now: now) else { return nil }
        var span = sockets.sendBuffer(entry).mutableBytes
        var length = UDPRequestWriter.scrapeHeader(ConnectionID(rawValue: connectionID[l]), TransactionID(rawValue: tid), into: &span)
        for h in 0..<hashes {
            let torrent = model.sampler.sample(using: &random)
            length += UDPRequestWriter.scrapeHash(index: h, model.infoHash(torrent), into: &span)
        }
        sockets.setSendLength(entry, length)
        countSent(.scrape)
        return slot
    }

    private mutating func handleReply(socket l: Int, _ packet: UnsafeRawBufferPointer, now: UInt64) {
        // SAFETY: `packet` points into this worker's receive buffer, valid until the next receive.
        let bytes = packet.bindMemory(to: UInt8.self).span
        guard let tid = ReplyValidator.transactionID(bytes) else {
            total.badLength += 1
            if measuring { measured.badLength += 1 }
            return
        }
        guard let slot = table.match(tid, socket: l) else {
            total.unknownTID += 1
            if measuring { measured.unknownTID += 1 }
            return
        }
        let kind = RequestKind(rawValue: table.kinds[slot]) ?? .announce
        let detail = Int(table.details[slot])
        let latency = now &- table.sentAt[slot]
        table.close(slot)
        switch ReplyValidator.validate(bytes, expected: kind, detail: detail, ipv6: settings.ipv6) {
        case .connect(let cid):
            connectionID[l] = cid.rawValue
            connection[l] = .ready
            connectedAt[l] = now
            total.connects += 1
            if measuring { measured.connects += 1 }
        case .announce(let peers):
            total.announces += 1
            total.peersReturned += UInt64(peers)
            if measuring {
                measured.announces += 1
                measured.peersReturned += UInt64(peers)
            }
        case .scrape:
            total.scrapes += 1
            if measuring { measured.scrapes += 1 }
        case .errorReply:
            // BEP 15: an error usually means the connection ID expired; connect again.
            if connection[l] == .ready { connection[l] = .none }
            total.errorReplies += 1
            if measuring { measured.errorReplies += 1 }
            return
        case .badAction:
            total.badAction += 1
            if measuring { measured.badAction += 1 }
            return
        case .badLength:
            total.badLength += 1
            if measuring { measured.badLength += 1 }
            return
        }
        _ = interval.record(latency)
        if measuring { _ = measuredLatency.record(latency) }
    }
}
