// SPDX-License-Identifier: GPL-2.0
/*
 * lab-ethstats IFACE: what "ethtool -S IFACE" prints, one NAME=VALUE a
 * line, through the SIOCETHTOOL ioctl (busybox has no ethtool): for
 * blanket_net the per-queue counters, q<N>_tx_packets and the like. Built
 * like xen-cpuid.c (nolibc.h): the guest has no libc.
 */
#define LAB_PROG "lab-ethstats"
#include "nolibc.h"

#define AF_INET			2
#define SOCK_DGRAM		2
#define SIOCETHTOOL		0x8946
#define ETHTOOL_GDRVINFO	0x03
#define ETHTOOL_GSTRINGS	0x1b
#define ETHTOOL_GSTATS		0x1d
#define ETH_SS_STATS		1
#define ETH_GSTRING_LEN		32
#define MAX_STATS		512

/* As in <linux/ethtool.h>. */
struct ethtool_drvinfo {
	unsigned int cmd;
	char driver[32], version[32], fw_version[32], bus_info[32];
	char erom_version[32], reserved2[12];
	unsigned int n_priv_flags, n_stats, testinfo_len, eedump_len, regdump_len;
};

struct ethtool_gstrings {
	unsigned int cmd, string_set, len;
	char data[MAX_STATS * ETH_GSTRING_LEN];
};

struct ethtool_stats {
	unsigned int cmd, n_stats;
	unsigned long data[MAX_STATS];
};

/* As in <linux/if.h>: the name, then a union of which we use ifr_data. */
struct ifreq {
	char name[16];
	union {
		void *data;
		char pad[24];
	};
};

static struct ethtool_gstrings names;
static struct ethtool_stats stats;

/* The stack at entry: argc, then argv[]. */
void lab_ethstats(long *sp)
{
	char **argv = (char **)(sp + 1);
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ifreq ifr = { .data = &info };
	char *name;
	unsigned int i, j;
	long fd;

	if (sp[0] != 2)
		die("usage: lab-ethstats IFACE");
	for (i = 0; argv[1][i]; i++) {
		if (i == sizeof(ifr.name) - 1)
			die("IFACE is too long");
		ifr.name[i] = argv[1][i];
	}
	fd = sys(SYS_SOCKET, AF_INET, SOCK_DGRAM, 0, 0);
	if (fd < 0)
		die("socket() failed");
	if (sys(SYS_IOCTL, fd, SIOCETHTOOL, (long)&ifr, 0))
		die("ETHTOOL_GDRVINFO failed");
	if (info.n_stats > MAX_STATS)
		die("too many statistics");
	names.cmd = ETHTOOL_GSTRINGS;
	names.string_set = ETH_SS_STATS;
	names.len = info.n_stats;
	ifr.data = &names;
	if (sys(SYS_IOCTL, fd, SIOCETHTOOL, (long)&ifr, 0))
		die("ETHTOOL_GSTRINGS failed");
	stats.cmd = ETHTOOL_GSTATS;
	stats.n_stats = info.n_stats;
	ifr.data = &stats;
	if (sys(SYS_IOCTL, fd, SIOCETHTOOL, (long)&ifr, 0))
		die("ETHTOOL_GSTATS failed");
	/*
	 * A reconnect between the calls may change the count (the kernel
	 * fills what it has then; MAX_STATS is far above blanket_net's 160):
	 * print what has both a name and a value.
	 */
	for (i = 0; i < stats.n_stats && i < names.len; i++) {
		name = names.data + i * ETH_GSTRING_LEN;
		/* A name fills its 32 bytes at most; it need not end in a NUL. */
		for (j = 0; j < ETH_GSTRING_LEN && name[j]; j++)
			;
		sys(SYS_WRITE, 1, (long)name, j, 0);
		put(1, "=");
		put_dec(stats.data[i]);
		put(1, "\n");
	}
	sys_exit(0);
}

/* rsp is 16-byte aligned at entry; the call keeps the ABI's alignment. */
asm(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	call lab_ethstats\n"
	"	hlt\n");
