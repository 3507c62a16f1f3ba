// GNU extensions (recvmmsg, sendmmsg, sched_*affinity, pthread_setname_np) need _GNU_SOURCE
// before any libc header.
#define _GNU_SOURCE
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include "CLiburingShim.h"

_Static_assert(sizeof(struct CLiburingShim_mmsghdr) == sizeof(struct mmsghdr),
               "CLiburingShim_mmsghdr must mirror struct mmsghdr");
_Static_assert(offsetof(struct CLiburingShim_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "CLiburingShim_mmsghdr.msg_len must mirror struct mmsghdr.msg_len");

_Static_assert(CLiburingShim_IP_PKTINFO_VALUE == IP_PKTINFO, "IP_PKTINFO");
_Static_assert(CLiburingShim_IPV6_RECVPKTINFO_VALUE == IPV6_RECVPKTINFO, "IPV6_RECVPKTINFO");
_Static_assert(CLiburingShim_IPV6_PKTINFO_VALUE == IPV6_PKTINFO, "IPV6_PKTINFO");
// PacketInfo.swift reads and writes these control messages by offset.
_Static_assert(CMSG_SPACE(sizeof(struct in6_pktinfo)) == CLiburingShim_PKTINFO_CONTROL_SPACE,
               "one in6_pktinfo control message must fill the reserved space exactly");
_Static_assert(CMSG_SPACE(sizeof(struct in_pktinfo)) <= CLiburingShim_PKTINFO_CONTROL_SPACE,
               "an in_pktinfo control message must fit the reserved space");
_Static_assert(sizeof(struct cmsghdr) == 16 && CMSG_LEN(0) == 16, "cmsghdr is 16 bytes on LP64 Linux");
_Static_assert(offsetof(struct in_pktinfo, ipi_spec_dst) == 4 && sizeof(struct in_pktinfo) == 12,
               "in_pktinfo layout");
_Static_assert(offsetof(struct in6_pktinfo, ipi6_ifindex) == 16 && sizeof(struct in6_pktinfo) == 20,
               "in6_pktinfo layout");

int CLiburingShim_recvmmsg(int fd, struct CLiburingShim_mmsghdr *vector, unsigned int length, int flags) {
    return recvmmsg(fd, (struct mmsghdr *)vector, length, flags, NULL);
}

int CLiburingShim_sendmmsg(int fd, struct CLiburingShim_mmsghdr *vector, unsigned int length, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vector, length, flags);
}

int CLiburingShim_pin_current_thread(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(0, sizeof(set), &set);
}

int CLiburingShim_sched_getaffinity(cpu_set_t *set) {
    return sched_getaffinity(0, sizeof(*set), set);
}

int CLiburingShim_cpu_isset(int cpu, const cpu_set_t *set) {
    return CPU_ISSET(cpu, set) ? 1 : 0;
}

int CLiburingShim_set_thread_name(const char *name) {
    return pthread_setname_np(pthread_self(), name);
}

int CLiburingShim_set_mmap_threshold(int bytes) {
    return mallopt(M_MMAP_THRESHOLD, bytes);
}

size_t CLiburingShim_mmapped_block_count(void) {
    return mallinfo2().hblks;
}

size_t CLiburingShim_heap_free_bytes(void) {
    return mallinfo2().fordblks;
}

int CLiburingShim_malloc_trim(void) {
    return malloc_trim(0);
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <wmmintrin.h>

int CLiburingShim_cpu_has_aes(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return 0;
    }
    return (ecx & bit_AES) != 0;
}

__attribute__((target("aes,sse2")))
CLiburingShim_block128 CLiburingShim_aes128_encrypt(const CLiburingShim_block128 *round_keys,
                                                    CLiburingShim_block128 block) {
    const __m128i *keys = (const __m128i *)round_keys;
    __m128i state = _mm_set_epi64x((long long)block.high, (long long)block.low);
    state = _mm_xor_si128(state, _mm_loadu_si128(&keys[0]));
    for (int round = 1; round < 10; round++) {
        state = _mm_aesenc_si128(state, _mm_loadu_si128(&keys[round]));
    }
    state = _mm_aesenclast_si128(state, _mm_loadu_si128(&keys[10]));
    CLiburingShim_block128 result;
    _mm_storeu_si128((__m128i *)&result, state);
    return result;
}
#else
int CLiburingShim_cpu_has_aes(void) {
    return 0;
}

CLiburingShim_block128 CLiburingShim_aes128_encrypt(const CLiburingShim_block128 *round_keys,
                                                    CLiburingShim_block128 block) {
    (void)round_keys;
    (void)block;
    __builtin_trap();  // never called: CLiburingShim_cpu_has_aes() is 0 here
}
#endif
