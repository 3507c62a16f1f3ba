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

_Static_assert(sizeof(CLiburingShim_block128) == 16 && offsetof(CLiburingShim_block128, high) == 8,
               "CLiburingShim_block128 mirrors Block128: two little-endian words, bytes in order");

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
CLiburingShim_block128 CLiburingShim_aes128_encrypt(const void *round_keys, CLiburingShim_block128 block) {
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
#elif defined(__aarch64__)
#include <arm_neon.h>
#include <sys/auxv.h>
#ifndef HWCAP_AES
#define HWCAP_AES (1 << 3)  /* <asm/hwcap.h> on arm64 */
#endif

int CLiburingShim_cpu_has_aes(void) {
    return (getauxval(AT_HWCAP) & HWCAP_AES) != 0;
}

// AESE is AddRoundKey then SubBytes and ShiftRows, so each round's key goes in one step earlier
// than in FIPS-197's order, and the last key is a plain XOR.
__attribute__((target("aes")))
CLiburingShim_block128 CLiburingShim_aes128_encrypt(const void *round_keys, CLiburingShim_block128 block) {
    const uint8_t *keys = (const uint8_t *)round_keys;
    uint8x16_t state = vreinterpretq_u8_u64(vcombine_u64(vcreate_u64(block.low), vcreate_u64(block.high)));
    for (int round = 0; round < 9; round++) {
        state = vaesmcq_u8(vaeseq_u8(state, vld1q_u8(keys + 16 * round)));
    }
    state = veorq_u8(vaeseq_u8(state, vld1q_u8(keys + 16 * 9)), vld1q_u8(keys + 16 * 10));
    uint64x2_t words = vreinterpretq_u64_u8(state);
    CLiburingShim_block128 result = {vgetq_lane_u64(words, 0), vgetq_lane_u64(words, 1)};
    return result;
}
#else
int CLiburingShim_cpu_has_aes(void) {
    return 0;
}

CLiburingShim_block128 CLiburingShim_aes128_encrypt(const void *round_keys, CLiburingShim_block128 block) {
    (void)round_keys;
    (void)block;
    __builtin_trap();  // never called: CLiburingShim_cpu_has_aes() is 0 here
}
#endif
