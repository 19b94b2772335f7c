// SPDX-License-Identifier: GPL-2.0
/*
 * tcp-client ADDR PORT [FILE]: one TCP round of transfer.sh against
 * Dom0's tcp-peer.py. With FILE, sends it with sendfile() and half-closes;
 * then copies whatever comes back to stdout, 256 KiB a read, until the
 * peer closes. Busybox's only client for a bare TCP round is nc, which
 * moves 1 KiB a system call.
 * Built like xen-cpuid.c (nolibc.h): the guest has no libc.
 */
#define LAB_PROG "tcp-client"
#include "nolibc.h"

#define AF_INET		2
#define SOCK_STREAM	1
#define SHUT_WR		1

struct sockaddr_in4 {
	unsigned short family;
	unsigned short port;	/* network order */
	unsigned char addr[4];
	unsigned char zero[8];
};

static char buf[1 << 18];

/* The decimal number at *s, up to @max, ending at @end; moves *s past it. */
static unsigned int decimal(const char **s, unsigned int max, char end)
{
	unsigned int v = 0;
	const char *p = *s;

	if (*p < '0' || *p > '9')
		die("ADDR is a dotted quad, PORT a number");
	while (*p >= '0' && *p <= '9') {
		v = v * 10 + (*p++ - '0');
		if (v > max)
			die("ADDR is a dotted quad, PORT a number");
	}
	if (*p != end)
		die("ADDR is a dotted quad, PORT a number");
	*s = p + 1;
	return v;
}

/* The stack at entry: argc, then argv[]. */
void tcp_client(long *sp)
{
	char **argv = (char **)(sp + 1);
	struct sockaddr_in4 sa = { .family = AF_INET };
	long fd, file, n, done, w;
	const char *s;
	unsigned int port;
	int i;

	if (sp[0] != 3 && sp[0] != 4)
		die("usage: tcp-client ADDR PORT [FILE]");
	s = argv[1];
	for (i = 0; i < 4; i++)
		sa.addr[i] = decimal(&s, 255, i < 3 ? '.' : '\0');
	s = argv[2];
	port = decimal(&s, 65535, '\0');
	sa.port = (unsigned short)(port >> 8 | port << 8);

	fd = sys(SYS_SOCKET, AF_INET, SOCK_STREAM, 0, 0);
	if (fd < 0)
		die("socket() failed");
	if (sys(SYS_CONNECT, fd, (long)&sa, sizeof(sa), 0))
		die("connect() failed");
	if (sp[0] == 4) {
		file = sys(SYS_OPEN, (long)argv[3], 0, 0, 0);
		if (file < 0)
			die("cannot open FILE");
		do
			n = sys(SYS_SENDFILE, fd, file, 0, 1 << 30);
		while (n > 0);
		if (n < 0)
			die("sendfile() failed");
		if (sys(SYS_SHUTDOWN, fd, SHUT_WR, 0, 0))
			die("shutdown() failed");
	}
	while ((n = sys(SYS_READ, fd, (long)buf, sizeof(buf), 0)) > 0) {
		for (done = 0; done < n; done += w) {
			w = sys(SYS_WRITE, 1, (long)buf + done, n - done, 0);
			if (w <= 0)
				die("write() failed");
		}
	}
	if (n < 0)
		die("read() failed");
	sys_exit(0);
}

/* rsp is 16-byte aligned at entry; the call keeps the ABI's alignment. */
asm(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	call tcp_client\n"
	"	hlt\n");
