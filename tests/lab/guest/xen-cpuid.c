// SPDX-License-Identifier: GPL-2.0
/*
 * xen-cpuid: prints the hypervisor CPUID leaves the way Linux's
 * xen_cpuid_base() finds them (base 0x40000000 + n * 0x100), e.g.
 *   cpuid_base=0x40000000 cpuid_sig=XenVMMXenVMM max_leaf=0x40000005 xen_version=4.17
 * or "cpuid_sig=none". The L1 guest has no compiler and no libc, so this is
 * built on the host (nolibc.h).
 */
#include "nolibc.h"

static void cpuid(unsigned int leaf, unsigned int r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
}

static char buf[256];
static int len;

static void put(const char *s)
{
	while (*s && len < (int)sizeof(buf) - 1)
		buf[len++] = *s++;
}

static void put_hex(unsigned int v)
{
	char t[11] = "0x";
	int i;

	for (i = 0; i < 8; i++)
		t[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	t[10] = 0;
	put(t);
}

static void put_dec(unsigned int v)
{
	char t[11];
	int i = 10;

	t[i] = 0;
	do {
		t[--i] = '0' + v % 10;
		v /= 10;
	} while (v);
	put(t + i);
}

void _start(void)
{
	unsigned int r[4], base;
	char sig[13];
	int i;

	for (base = 0x40000000; base < 0x40010000; base += 0x100) {
		cpuid(base, r);
		for (i = 0; i < 4; i++) {
			sig[i] = r[1] >> (8 * i);
			sig[4 + i] = r[2] >> (8 * i);
			sig[8 + i] = r[3] >> (8 * i);
		}
		sig[12] = 0;
		if (r[0] - base >= 2 && sig[0] == 'X' && sig[1] == 'e' &&
		    sig[2] == 'n' && sig[3] == 'V' && sig[4] == 'M' &&
		    sig[5] == 'M' && sig[6] == 'X' && sig[7] == 'e' &&
		    sig[8] == 'n' && sig[9] == 'V' && sig[10] == 'M' &&
		    sig[11] == 'M')
			break;
	}
	if (base >= 0x40010000) {
		put("cpuid_sig=none\n");
		sys(SYS_WRITE, 1, (long)buf, len, 0);
		sys_exit(1);
	}
	put("cpuid_base=");
	put_hex(base);
	put(" cpuid_sig=");
	put(sig);
	put(" max_leaf=");
	put_hex(r[0]);
	cpuid(base + 1, r);
	put(" xen_version=");
	put_dec(r[0] >> 16);
	put(".");
	put_dec(r[0] & 0xffff);
	put("\n");
	sys(SYS_WRITE, 1, (long)buf, len, 0);
	sys_exit(0);
}
