// GNU extensions (recvmmsg, sendmmsg, sched_*affinity, pthread_setname_np) need _GNU_SOURCE
// before any libc header.
#define _GNU_SOURCE
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include "CLiburingShim.h"

_Static_assert(sizeof(struct CLiburingShim_mmsghdr) == sizeof(struct mmsghdr),
               "CLiburingShim_mmsghdr must mirror struct mmsghdr");
_Static_assert(offsetof(struct CLiburingShim_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len),
               "CLiburingShim_mmsghdr.msg_len must mirror struct mmsghdr.msg_len");

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
