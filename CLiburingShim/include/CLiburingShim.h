#ifndef CLIBURINGSHIM_H
#define CLIBURINGSHIM_H
// libc headers first: liburing.h defines _XOPEN_SOURCE/_GNU_SOURCE and would otherwise make the
// Clang module disagree with SwiftGlibc about fd_set (flaky on clean builds, see docs).
#include <sys/types.h>
#include <sys/socket.h>
#include <liburing.h>
#endif
