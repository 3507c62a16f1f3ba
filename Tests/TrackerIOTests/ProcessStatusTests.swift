#if canImport(Glibc)
import Glibc
#endif
import Testing
import TrackerIO

@Suite("/proc readers for process and socket metrics")
struct ProcessStatusTests {
    @Test("proc(5) stat fields are found after the last parenthesis, whatever the command name holds")
    func statFields() throws {
        // Fields 1…24 of a real line, the command name made awkward on purpose.
        let line = "4242 (ring tracker) (x)) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 125 0 0 20 0 5 0 777 123456789 4321 18446744073709551615"
        let fields = try #require(ProcessStatus.parseStat(line))
        #expect(fields.userTicks == 250 && fields.systemTicks == 125)
        #expect(fields.startTicks == 777 && fields.virtualBytes == 123_456_789 && fields.residentPages == 4321)
        #expect(ProcessStatus.parseStat("4242 (short) S 1") == nil)
        #expect(ProcessStatus.bootTime("cpu  1 2 3\nbtime 1764900000\nprocesses 9\n") == 1_764_900_000)
    }

    @Test("This process's own figures are plausible: memory, CPU time, start time, descriptors")
    func ownProcess() throws {
        let socket = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let status = ProcessStatus.read()
        #expect((status.residentBytes ?? 0) > 1 << 20)
        #expect((status.cpuSeconds ?? 0) > 0)
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let start = try #require(status.startTimeSeconds)
        #expect(start <= Double(now.tv_sec) + 1 && start > Double(now.tv_sec) - 86_400)
        #expect((status.openDescriptors ?? 0) >= 4)
        #expect((status.maxDescriptors ?? 0) >= UInt64(status.openDescriptors ?? 0))
        #expect(status.socketInodes.count >= 1)
        _ = socket.fileDescriptor
    }

    @Test("The memory limit comes from the cgroup v2 memory.max or the v1 memory controller; 'max' means none")
    func cgroupLimit() {
        let files = [
            "/sys/fs/cgroup/system.slice/ringtracker.service/memory.max": "536870912\n",
            "/sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "1073741824\n",
            "/sys/fs/cgroup/memory.max": "max\n",
        ]
        #expect(ProcessStatus.cgroupLimit("0::/system.slice/ringtracker.service\n") { files[$0] } == 536_870_912)
        #expect(ProcessStatus.cgroupLimit("5:cpu:/\n4:memory:/docker/abc\n0::/\n") { files[$0] } == 1_073_741_824)
        #expect(ProcessStatus.cgroupLimit("0::/\n") { files[$0] } == nil)
        #expect(ProcessStatus.read().memoryLimitBytes.map { $0 > 1 << 20 } == true)
    }

    @Test("/proc/net/udp lines decode to address, inode, queue and drops, IPv4 and IPv6")
    func parseTable() {
        let v4 = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
             1234: 0100007F:1B39 00000000:0000 07 00000000:00000340 00:00000000 00000000     0        0 98765 2 0000000000000000 17
            """
        #expect(UDPSocketTable.parse(v4, ipv6: false) == [
            .init(local: "127.0.0.1:6969", inode: 98765, receiveQueueBytes: 0x340, drops: 17),
        ])
        let v6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
              512: 00000000000000000000000001000000:1B39 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0
              513: 000080FE000000000000000001000000:1B39 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0
            """
        #expect(UDPSocketTable.parse(v6, ipv6: true).map(\.local) == ["[::1]:6969", "[fe80::1]:6969"])
        #expect(UDPSocketTable.parse("header\nnot a socket line\n", ipv6: false).isEmpty)
    }

    @Test("A socket whose receive buffer overflows shows kernel drops in the table")
    func dropsCounted() throws {
        // The smallest buffer the kernel allows (it clamps 1 up to its minimum): a few datagrams fit.
        let receiver = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false, receiveBuffer: 1)
        let target = try receiver.localAddress()
        let sender = try UDPSocket.bind(try SocketAddress(parsing: "127.0.0.1:0"), reusePort: false)
        let payload = [UInt8](repeating: 7, count: 512)
        for _ in 0..<200 {
            _ = target.withSockAddr { address, length in
                payload.withUnsafeBytes { sendto(sender.fileDescriptor, $0.baseAddress, $0.count, 0, address, length) }
            }
        }
        let entries = UDPSocketTable.read(inodes: ProcessStatus.read().socketInodes)
        let entry = try #require(entries.first { $0.local == target.description })
        #expect(entry.drops > 0, "nobody read: most of 200 datagrams were dropped")
        #expect(entry.receiveQueueBytes > 0)
        #expect(entries.contains { $0.local == (try? sender.localAddress())?.description && $0.drops == 0 })
    }
}
