/// The protocol core as the I/O engine sees it. Called on the worker thread only.
public protocol DatagramHandler {
    // `source` is the sockaddr (sockaddr_in or sockaddr_in6) the datagram came from; the reply goes back to it.
    // Return the reply length written into `reply` (0 = no reply). Must not block or allocate.
    mutating func handleDatagram(_ payload: UnsafeRawBufferPointer, source: UnsafeRawPointer,
                                 reply: UnsafeMutableRawBufferPointer) -> Int
    mutating func tick()             // at least every 100 ms, and once per loop turn under load
}
