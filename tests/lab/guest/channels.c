// SPDX-License-Identifier: GPL-2.0
/*
 * lab-channels IFACE [N]: what "ethtool -l IFACE" and "ethtool -L IFACE
 * combined N" do, through the SIOCETHTOOL ioctl (busybox has no ethtool).
 * Without N, prints the combined channels in use and the most there can
 * be, e.g. "combined=2 max_combined=2"; with N, asks for N combined
 * channels and prints nothing. Built like xen-cpuid.c (nolibc.h): the
 * guest has no libc.
 */
#define LAB_PROG "lab-channels"
#include "nolibc.h"

#define AF_INET			2
#define SOCK_DGRAM		2
#define SIOCETHTOOL		0x8946
#define ETHTOOL_GCHANNELS	0x3c
#define ETHTOOL_SCHANNELS	0x3d

/* As in <linux/ethtool.h>. */
struct ethtool_channels {
	unsigned int cmd;
	unsigned int max_rx, max_tx, max_other, max_combined;
	unsigned int rx_count, tx_count, other_count, combined_count;
};

/* As in <linux/if.h>: the name, then a union of which we use ifr_data. */
struct ifreq {
	char name[16];
	union {
		void *data;
		char pad[24];
	};
};

/* The stack at entry: argc, then argv[]. */
void lab_channels(long *sp)
{
	char **argv = (char **)(sp + 1);
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { .data = &ch };
	unsigned int n = 0;
	const char *s;
	long fd;
	int i;

	if (sp[0] != 2 && sp[0] != 3)
		die("usage: lab-channels IFACE [N]");
	for (i = 0; argv[1][i]; i++) {
		if (i == (int)sizeof(ifr.name) - 1)
			die("IFACE is too long");
		ifr.name[i] = argv[1][i];
	}
	if (sp[0] == 3) {
		s = argv[2];
		if (!*s)
			die("N is a number");
		for (; *s; s++) {
			if (*s < '0' || *s > '9' || n > 1000)
				die("N is a number");
			n = n * 10 + (*s - '0');
		}
	}
	fd = sys(SYS_SOCKET, AF_INET, SOCK_DGRAM, 0, 0);
	if (fd < 0)
		die("socket() failed");
	if (sys(SYS_IOCTL, fd, SIOCETHTOOL, (long)&ifr, 0))
		die("ETHTOOL_GCHANNELS failed");
	if (sp[0] == 3) {
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.combined_count = n;
		if (sys(SYS_IOCTL, fd, SIOCETHTOOL, (long)&ifr, 0))
			die("ETHTOOL_SCHANNELS failed");
		sys_exit(0);
	}
	put(1, "combined=");
	put_dec(ch.combined_count);
	put(1, " max_combined=");
	put_dec(ch.max_combined);
	put(1, "\n");
	sys_exit(0);
}

/* rsp is 16-byte aligned at entry; the call keeps the ABI's alignment. */
asm(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	call lab_channels\n"
	"	hlt\n");
