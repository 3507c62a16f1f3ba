#ifndef CLIBURINGSHIM_H
#define CLIBURINGSHIM_H
// libc headers first: liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE and would otherwise make the
// Clang module disagree with SwiftGlibc about fd_set (flaky on clean builds, see docs).
#include <sys/types.h>
#include <sys/socket.h>
#include <sched.h>
#include <stdint.h>
#include <liburing.h>

// Why: Swift's Glibc module omits GNU extensions, so `struct mmsghdr` is invisible; same layout
// (asserted in shim.c against the real struct).
struct CLiburingShim_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

// Why: recvmmsg is a GNU extension Swift's Glibc does not export. Timeout is always NULL.
int CLiburingShim_recvmmsg(int fd, struct CLiburingShim_mmsghdr *vector, unsigned int length, int flags);

// Why: sendmmsg is a GNU extension Swift's Glibc does not export.
int CLiburingShim_sendmmsg(int fd, struct CLiburingShim_mmsghdr *vector, unsigned int length, int flags);

// Why: sched_setaffinity is GNU-only and CPU_ZERO/CPU_SET are function-like macros.
int CLiburingShim_pin_current_thread(int cpu);

// Why: sched_getaffinity is GNU-only; fills `set` with the calling thread's allowed CPUs.
int CLiburingShim_sched_getaffinity(cpu_set_t *set);

// Why: CPU_ISSET is a function-like macro. Returns 1 if `cpu` is in `set`.
int CLiburingShim_cpu_isset(int cpu, const cpu_set_t *set);

// Why: CPU_SETSIZE is GNU-only in <sched.h>; __CPU_SETSIZE is the same value, always defined.
static const int CLiburingShim_CPU_SETSIZE = __CPU_SETSIZE;

// Why: mallopt lives in <malloc.h>, which Swift's Glibc module does not export. Sets glibc's
// M_MMAP_THRESHOLD; returns 1 on success.
int CLiburingShim_set_mmap_threshold(int bytes);

// Why: mallinfo2 lives in <malloc.h> too. The number of blocks glibc holds in their own mmap
// (mallinfo2's hblks), so a test can see the threshold take effect.
size_t CLiburingShim_mmapped_block_count(void);

// Why: as above. Free bytes in glibc's arenas (mallinfo2's fordblks): what a trim could return.
size_t CLiburingShim_heap_free_bytes(void);

// Why: malloc_trim is declared in <malloc.h>, which Glibc's module map does not import. With 0 it
// returns every whole free page of every arena to the kernel (MADV_DONTNEED), not only the top.
int CLiburingShim_malloc_trim(void);

// Why: pthread_setname_np is GNU-only. Linux truncates names to 15 bytes.
int CLiburingShim_set_thread_name(const char *name);

// Why: the IOSQE_* macros are built from enum bits and do not import into Swift.
static const uint8_t CLiburingShim_IOSQE_BUFFER_SELECT = IOSQE_BUFFER_SELECT;
// Why: as above.
static const uint8_t CLiburingShim_IOSQE_FIXED_FILE = IOSQE_FIXED_FILE;
// Why: as above.
static const uint8_t CLiburingShim_IOSQE_CQE_SKIP_SUCCESS = IOSQE_CQE_SKIP_SUCCESS;

// Why: IP_PKTINFO, IPV6_RECVPKTINFO, IPV6_PKTINFO and the pktinfo structs sit behind __USE_GNU,
// which neither Swift's Glibc module nor this header (included before _GNU_SOURCE takes effect)
// sees. Values from <bits/in.h>, asserted in shim.c. Wildcard sockets use them to reply from the
// address a request was sent to.
#define CLiburingShim_IP_PKTINFO_VALUE 8
#define CLiburingShim_IPV6_RECVPKTINFO_VALUE 49
#define CLiburingShim_IPV6_PKTINFO_VALUE 50
static const int CLiburingShim_IP_PKTINFO = CLiburingShim_IP_PKTINFO_VALUE;
// Why: as above (the IPv6 receive option).
static const int CLiburingShim_IPV6_RECVPKTINFO = CLiburingShim_IPV6_RECVPKTINFO_VALUE;
// Why: as above (the IPv6 cmsg type, both directions).
static const int CLiburingShim_IPV6_PKTINFO = CLiburingShim_IPV6_PKTINFO_VALUE;
// Why: CMSG_SPACE is a function-like macro. Control bytes reserved per datagram: one in6_pktinfo
// cmsg (16 B header + 20 B, aligned to 24), which also holds the smaller in_pktinfo one.
#define CLiburingShim_PKTINFO_CONTROL_SPACE 40
static const int CLiburingShim_pktinfo_control_space = CLiburingShim_PKTINFO_CONTROL_SPACE;

// Why: Swift cannot emit the CPU's AES instructions (AES-NI on x86-64, the crypto extension's AESE
// and AESMC on arm64). One 16-byte block, bytes in order (`low` holds bytes 0-7, little-endian),
// mirroring TrackerCore's Block128 (layout asserted in shim.c).
typedef struct {
    uint64_t low;
    uint64_t high;
} CLiburingShim_block128;

// Why: the CPU feature is read through CPUID (<cpuid.h>'s macros) on x86-64 and the auxiliary
// vector's HWCAP_AES on arm64. 1 if this CPU runs CLiburingShim_aes128_encrypt, else 0.
int CLiburingShim_cpu_has_aes(void);

// Why: the AES instructions themselves, which Swift cannot emit (see above). AES-128 encryption of
// one block with the 11 round keys of an expanded key at `round_keys` (176 bytes, FIPS-197 order,
// each key's bytes in order). The round loop is the only logic, and it is the instructions'
// required sequence. Call only where CLiburingShim_cpu_has_aes() returned 1.
CLiburingShim_block128 CLiburingShim_aes128_encrypt(const void *round_keys, CLiburingShim_block128 block);

#endif
