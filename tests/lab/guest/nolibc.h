/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's helpers run without libc (the L1 guest has none): built on
 * the host with -nostdlib -static, they make x86-64 Linux system calls
 * directly, through these. A helper defines LAB_PROG, its name, before
 * including this.
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

/* put(FD, S): writes the string S to FD. */
static inline void put(int fd, const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	sys(SYS_WRITE, fd, (long)s, p - s, 0);
}

/* put_dec(V): writes V in decimal to stdout. */
static inline void put_dec(unsigned long v)
{
	char t[21];
	int i = 20;

	t[i] = 0;
	do {
		t[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(1, t + i);
}

/* die(MSG): says "LAB_PROG: MSG" on stderr and exits 1. */
static inline _Noreturn void die(const char *msg)
{
	put(2, LAB_PROG ": ");
	put(2, msg);
	put(2, "\n");
	sys_exit(1);
}

#endif
