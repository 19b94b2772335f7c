/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Finding a Xen hypervisor through CPUID, without trusting what CPUID
 * says: pure logic over a caller-supplied cpuid function.
 */
#ifndef _BLANKET_XEN_CPUID_H
#define _BLANKET_XEN_CPUID_H

#include <linux/bits.h>
#include <linux/types.h>

/* Hypervisor leaves live at 0x40000000 + n * 0x100, n < 0x100. */
#define BLANKET_CPUID_BASE	0x40000000U
#define BLANKET_CPUID_STEP	0x100U
#define BLANKET_CPUID_END	0x40010000U
/* Leaf base + 4, EAX: EBX holds the vCPU id (Xen's public cpuid.h). */
#define BLANKET_CPUID_VCPU_ID_PRESENT	BIT(3)

struct blanket_xen_cpuid {
	u32 base;		/* the leaf with "XenVMMXenVMM" */
	u32 version;		/* major << 16 | minor, from base + 1 */
	u32 hcall_pages;	/* base + 2: pages of hypercall stubs */
	u32 hcall_msr;		/* base + 2: MSR that installs them */
};

typedef void (*blanket_cpuid_fn)(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx,
				 u32 *edx);

int blanket_xen_cpuid_find(blanket_cpuid_fn cpuid, struct blanket_xen_cpuid *xen);
int blanket_xen_cpuid_vcpu_id(blanket_cpuid_fn cpuid, u32 base, u32 *vcpu);

#endif /* _BLANKET_XEN_CPUID_H */
