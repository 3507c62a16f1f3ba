/// Runs one worker's receive → handle → reply loop on the calling thread.
public enum UDPWorkerEngine {
    /// Runs until `stop` is set; returns within ~tickMilliseconds of it. sockets: the worker's own fds.
    public static func run<H: DatagramHandler>(
        sockets: [Int32],
        handler: inout H,
        configuration: WorkerEngineConfiguration,
        stop: StopSignal
    ) throws(SystemError) {
        try run(sockets: sockets, handler: &handler, configuration: configuration, stop: stop,
                counters: EngineCounters())
    }

    /// As above, publishing counts into `counters` once per loop turn.
    public static func run<H: DatagramHandler>(
        sockets: [Int32],
        handler: inout H,
        configuration: WorkerEngineConfiguration,
        stop: StopSignal,
        counters: EngineCounters
    ) throws(SystemError) {
        switch configuration.backend {
        case .ioUring:
            var engine = try UringEngine(sockets: sockets, configuration: configuration)
            try engine.run(handler: &handler, stop: stop, counters: counters)
        case .mmsg:
            var engine = MMsgEngine(sockets: sockets, configuration: configuration)
            try engine.run(handler: &handler, stop: stop, counters: counters)
        }
    }
}
