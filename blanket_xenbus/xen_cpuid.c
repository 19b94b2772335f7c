// SPDX-License-Identifier: GPL-2.0
/*
 * Xen signs its CPUID leaves "XenVMMXenVMM" at one of the hypervisor
 * bases; another hypervisor (Hyper-V, KVM) may sit at 0x40000000 with
 * Xen's leaves further up. Whatever the leaves say is only believed once
 * it is self-consistent: a broken CPUID yields -ENODEV, never a wild MSR
 * write.
 */

#include <linux/errno.h>
#include <linux/string.h>

#include <blanket/test_export.h>
#include "xen_cpuid.h"

/* Find Xen's leaves: 0, or -ENODEV if there is no usable Xen. */
int blanket_xen_cpuid_find(blanket_cpuid_fn cpuid, struct blanket_xen_cpuid *xen)
{
	u32 base, eax, ebx, ecx, edx;
	char sig[12];

	for (base = BLANKET_CPUID_BASE; base < BLANKET_CPUID_END;
	     base += BLANKET_CPUID_STEP) {
		cpuid(base, &eax, &ebx, &ecx, &edx);
		memcpy(sig, &ebx, 4);
		memcpy(sig + 4, &ecx, 4);
		memcpy(sig + 8, &edx, 4);
		if (memcmp(sig, "XenVMMXenVMM", sizeof(sig)))
			continue;
		/* eax is the highest leaf: we need base + 1 and base + 2. */
		if (eax < base + 2 || eax >= base + BLANKET_CPUID_STEP)
			return -ENODEV;

		xen->base = base;
		cpuid(base + 1, &eax, &ebx, &ecx, &edx);
		xen->version = eax;
		cpuid(base + 2, &eax, &ebx, &ecx, &edx);
		/* At least one page, and an MSR in the hypervisor's range. */
		if (!eax || eax > 8 || ebx < BLANKET_CPUID_BASE ||
		    ebx >= BLANKET_CPUID_END)
			return -ENODEV;
		xen->hcall_pages = eax;
		xen->hcall_msr = ebx;
		return 0;
	}
	return -ENODEV;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xen_cpuid_find);

/*
 * The vCPU id of the CPU @cpuid runs on, from leaf @base + 4: -ENOENT if
 * Xen has no such leaf or does not fill the id in.
 */
int blanket_xen_cpuid_vcpu_id(blanket_cpuid_fn cpuid, u32 base, u32 *vcpu)
{
	u32 eax, ebx, ecx, edx;

	cpuid(base, &eax, &ebx, &ecx, &edx);
	if (eax < base + 4 || eax >= base + BLANKET_CPUID_STEP)
		return -ENOENT;
	cpuid(base + 4, &eax, &ebx, &ecx, &edx);
	if (!(eax & BLANKET_CPUID_VCPU_ID_PRESENT))
		return -ENOENT;
	*vcpu = ebx;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xen_cpuid_vcpu_id);
