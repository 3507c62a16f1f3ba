#!/usr/bin/env python3
"""bench/profile/groups.py --json RINGFLOOD_JSON < `perf report --stdio --no-children --sort dso,sym -g none`

Groups one profile's self samples into what a response costs CPU 0, in µs: the server's own code,
io_uring's layer in the kernel, the hardened-usercopy checks, the socket syscalls' message
handling, the network stack, idle, and the rest. CPU 0's time per response is 1 s ÷ the measured
responses/s (idle included), so each group is its share of the samples times that. Used by
bench/profile/run.sh; the groups are symbol-name patterns, listed below, not kernel call chains."""
import argparse, json, re, sys

GROUPS = [
    ("idle (CPU 0 waiting)", re.compile(r"^(pv_native_safe_halt|default_idle.*|cpuidle.*|do_idle|acpi_idle.*)$")),
    ("io_uring layer (io_*, SQE/CQE handling)", re.compile(r"^(__?io_.*|io_.*|tctx_.*|__io_uring.*|task_work_run)$")),
    ("hardened usercopy checks", re.compile(r"^(__check_object_size|__virt_addr_valid|check_heap_object|__check_heap_object|check_stack_object)$")),
    ("syscall entry and msghdr/iovec copies", re.compile(r"^(entry_SYSCALL.*|do_syscall_64|syscall_exit.*|x64_sys_call|__x64_sys_.*|"
                                                          r"copy_msghdr_from_user|__copy_msghdr|copy_iovec_from_user|iovec_from_user|_copy_from_user|_copy_to_user|"
                                                          r"___sys_sendmsg|____sys_sendmsg|___sys_recvmsg|____sys_recvmsg|__sys_sendmmsg|__sys_recvmmsg|do_recvmmsg|"
                                                          r"sock_sendmsg|sock_recvmsg|__sock_sendmsg|sockfd_lookup_light|__fget_light|fdget|fput|move_addr_to_kernel|"
                                                          r"put_cmsg|__put_user_.*|__get_user_.*|rw_verify_area|import_iovec|__import_iovec)$")),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", required=True, help="ringflood --json result of the profiled run")
    args = ap.parse_args()
    try:
        rate = float(json.load(open(args.json))["responsesPerSecond"])
    except (OSError, ValueError, KeyError):
        print("no ringflood result: cannot convert shares to µs")
        return
    if rate <= 0:
        print("no responses")
        return
    per_response = 1e6 / rate
    shares = {name: 0.0 for name, _ in GROUPS}
    shares["server's own code (user space)"] = 0.0
    shares["network stack and the rest of the kernel"] = 0.0
    line = re.compile(r"^\s+([0-9.]+)%\s+(.+?)\s+\[(.)\]\s+(\S+)")
    total = 0.0
    for text in sys.stdin:
        match = line.match(text)
        if not match:
            continue
        share, dso, level, symbol = float(match.group(1)), match.group(2), match.group(3), match.group(4)
        total += share
        if level != "k":
            shares["server's own code (user space)"] += share
            continue
        for name, pattern in GROUPS:
            if pattern.match(symbol):
                shares[name] += share
                break
        else:
            shares["network stack and the rest of the kernel"] += share
    order = ["server's own code (user space)"] + [name for name, _ in GROUPS] + ["network stack and the rest of the kernel"]
    print(f"{'group':<44} {'share':>7} {'µs/resp':>8}")
    for name in order:
        print(f"{name:<44} {shares[name]:6.2f}% {shares[name] / 100 * per_response:8.3f}")
    print(f"{'total (' + format(total, '.1f') + '% of samples parsed)':<44} {'':>7} {per_response * total / 100:8.3f}")


if __name__ == "__main__":
    main()
