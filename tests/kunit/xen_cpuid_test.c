// SPDX-License-Identifier: GPL-2.0
/* Finding L0 through CPUID tables that are right, foreign or broken. */

#include <kunit/test.h>

#include "blanket_xenbus/xen_cpuid.h"

#define LEAVES 8

static struct {
	u32 leaf, eax, ebx, ecx, edx;
} cpuid_table[LEAVES];

static void fake_cpuid(u32 leaf, u32 *eax, u32 *ebx, u32 *ecx, u32 *edx)
{
	int i;

	*eax = *ebx = *ecx = *edx = 0;
	for (i = 0; i < LEAVES; i++) {
		if (cpuid_table[i].leaf != leaf)
			continue;
		*eax = cpuid_table[i].eax;
		*ebx = cpuid_table[i].ebx;
		*ecx = cpuid_table[i].ecx;
		*edx = cpuid_table[i].edx;
	}
}

static void set_leaf(int i, u32 leaf, u32 eax, const char *sig)
{
	cpuid_table[i].leaf = leaf;
	cpuid_table[i].eax = eax;
	memcpy(&cpuid_table[i].ebx, sig, 4);
	memcpy(&cpuid_table[i].ecx, sig + 4, 4);
	memcpy(&cpuid_table[i].edx, sig + 8, 4);
}

/* Xen 4.17 at @base with the usual hypercall MSR. */
static void set_xen(int i, u32 base)
{
	set_leaf(i, base, base + 5, "XenVMMXenVMM");
	cpuid_table[i + 1] = (typeof(cpuid_table[0])){ base + 1, 0x40011 };
	cpuid_table[i + 2] = (typeof(cpuid_table[0])){ base + 2, 1, 0x40000000 };
}

static int xen_cpuid_init(struct kunit *test)
{
	memset(cpuid_table, 0, sizeof(cpuid_table));
	return 0;
}

static void xen_cpuid_found_test(struct kunit *test)
{
	struct blanket_xen_cpuid xen;

	set_xen(0, 0x40000000);
	KUNIT_ASSERT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), 0);
	KUNIT_EXPECT_EQ(test, xen.base, 0x40000000U);
	KUNIT_EXPECT_EQ(test, xen.version, 0x40011U);
	KUNIT_EXPECT_EQ(test, xen.hcall_pages, 1U);
	KUNIT_EXPECT_EQ(test, xen.hcall_msr, 0x40000000U);
}

static void xen_cpuid_behind_other_test(struct kunit *test)
{
	struct blanket_xen_cpuid xen;

	/* Viridian-style: another signature first, Xen one step up. */
	set_leaf(0, 0x40000000, 0x40000005, "Microsoft Hv");
	set_xen(1, 0x40000100);
	KUNIT_ASSERT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), 0);
	KUNIT_EXPECT_EQ(test, xen.base, 0x40000100U);
}

static void xen_cpuid_absent_test(struct kunit *test)
{
	struct blanket_xen_cpuid xen;

	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	set_leaf(0, 0x40000000, 0x40000001, "KVMKVMKVM\0\0\0");
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
}

static void xen_cpuid_broken_test(struct kunit *test)
{
	struct blanket_xen_cpuid xen;

	/* Max leaf too low for the hypercall leaf. */
	set_xen(0, 0x40000000);
	cpuid_table[0].eax = 0x40000001;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	/* Max leaf beyond this base's range. */
	cpuid_table[0].eax = 0x40000100;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	/* No hypercall page, or an absurd number of them. */
	set_xen(0, 0x40000000);
	cpuid_table[2].eax = 0;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	cpuid_table[2].eax = 0xffffffff;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	/* An MSR outside the hypervisor range: never written. */
	cpuid_table[2].eax = 1;
	cpuid_table[2].ebx = 0xc0000080;	/* EFER */
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
	cpuid_table[2].ebx = 0;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_find(fake_cpuid, &xen), -ENODEV);
}

static void xen_cpuid_vcpu_id_test(struct kunit *test)
{
	u32 vcpu = 99;

	set_xen(0, 0x40000100);
	cpuid_table[3] = (typeof(cpuid_table[0])){ 0x40000104, 0x8 | 0x2, 7 };
	KUNIT_ASSERT_EQ(test, blanket_xen_cpuid_vcpu_id(fake_cpuid, 0x40000100, &vcpu), 0);
	KUNIT_EXPECT_EQ(test, vcpu, 7U);
	/* The flag says whether EBX is an id at all. */
	cpuid_table[3].eax = 0x2;
	vcpu = 99;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_vcpu_id(fake_cpuid, 0x40000100, &vcpu),
			-ENOENT);
	KUNIT_EXPECT_EQ(test, vcpu, 99U);
	/* A Xen whose leaves stop before base + 4. */
	cpuid_table[3].eax = 0x8;
	cpuid_table[0].eax = 0x40000103;
	KUNIT_EXPECT_EQ(test, blanket_xen_cpuid_vcpu_id(fake_cpuid, 0x40000100, &vcpu),
			-ENOENT);
}

static struct kunit_case blanket_xen_cpuid_cases[] = {
	KUNIT_CASE(xen_cpuid_found_test),
	KUNIT_CASE(xen_cpuid_behind_other_test),
	KUNIT_CASE(xen_cpuid_absent_test),
	KUNIT_CASE(xen_cpuid_broken_test),
	KUNIT_CASE(xen_cpuid_vcpu_id_test),
	{}
};

static struct kunit_suite blanket_xen_cpuid_suite = {
	.name = "blanket_xen_cpuid",
	.init = xen_cpuid_init,
	.test_cases = blanket_xen_cpuid_cases,
};

kunit_test_suite(blanket_xen_cpuid_suite);
