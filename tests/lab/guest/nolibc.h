/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's helpers run without libc (the L1 guest has none): built on
 * the host with -nostdlib -static, they make x86-64 Linux system calls
 * directly, through these.
 */
#ifndef LAB_NOLIBC_H
#define LAB_NOLIBC_H

#define SYS_READ	0
#define SYS_WRITE	1
#define SYS_OPEN	2
#define SYS_IOCTL	16
#define SYS_SENDFILE	40
#define SYS_SOCKET	41
#define SYS_CONNECT	42
#define SYS_SHUTDOWN	48
#define SYS_EXIT	60

static inline long sys(long nr, long a, long b, long c, long d)
{
	register long r10 asm("r10") = d;
	long ret;

	asm volatile("syscall" : "=a"(ret)
		     : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
		     : "rcx", "r11", "memory");
	return ret;
}

static inline _Noreturn void sys_exit(long code)
{
	sys(SYS_EXIT, code, 0, 0, 0);
	__builtin_unreachable();
}

#endif
