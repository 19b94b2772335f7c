// SPDX-License-Identifier: GPL-2.0
/*
 * xen-cpuid: prints the hypervisor CPUID leaves the way Linux's
 * xen_cpuid_base() finds them (base 0x40000000 + n * 0x100), e.g.
 *   cpuid_base=0x40000000 cpuid_sig=XenVMMXenVMM max_leaf=0x40000005 xen_version=4.17
 * or "cpuid_sig=none". The L1 guest has no compiler and no libc, so this is
 * built on the host (nolibc.h).
 */
#define LAB_PROG "xen-cpuid"
#include "nolibc.h"

static void cpuid(unsigned int leaf, unsigned int r[4])
{
	asm volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
		     : "a"(leaf), "c"(0));
}

static void put_hex(unsigned int v)
{
	char t[11] = "0x";
	int i;

	for (i = 0; i < 8; i++)
		t[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xf];
	t[10] = 0;
	put(1, t);
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
		put(1, "cpuid_sig=none\n");
		sys_exit(1);
	}
	put(1, "cpuid_base=");
	put_hex(base);
	put(1, " cpuid_sig=");
	put(1, sig);
	put(1, " max_leaf=");
	put_hex(r[0]);
	cpuid(base + 1, r);
	put(1, " xen_version=");
	put_dec(r[0] >> 16);
	put(1, ".");
	put_dec(r[0] & 0xffff);
	put(1, "\n");
	sys_exit(0);
}
