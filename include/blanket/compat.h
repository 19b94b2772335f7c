/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels blanket builds on (Debian 12's 6.1
 * up to current mainline) lives here, so that no other file tests
 * LINUX_VERSION_CODE.
 */
#ifndef _BLANKET_COMPAT_H
#define _BLANKET_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>
#include <linux/export.h>
#include <asm/xen/hypercall.h>

#include <blanket/l1_abi.h>

/* 6.13 turned symbol namespaces from bare words into string literals. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define BLANKET_NS "BLANKET_INTERNAL"
#else
#define BLANKET_NS BLANKET_INTERNAL
#endif

/*
 * Protocol logic that has no business in the public API is exported only
 * to the KUnit modules, in a namespace of its own. A production kernel
 * (CONFIG_KUNIT unset, as in Debian's) gets no extra exports at all.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_BLANKET_TEST(sym) EXPORT_SYMBOL_NS_GPL(sym, BLANKET_NS)
#else
#define EXPORT_SYMBOL_BLANKET_TEST(sym)
#endif

#define BLANKET_IMPORT_TEST_NS() MODULE_IMPORT_NS(BLANKET_NS)

/* 6.3 made the device argument of bus_type::uevent const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define blanket_uevent_dev_t const struct device
#else
#define blanket_uevent_dev_t struct device
#endif

/* 6.11 made the driver argument of bus_type::match const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define blanket_match_drv_t const struct device_driver
#else
#define blanket_match_drv_t struct device_driver
#endif

/*
 * blanket_l1_op from a PV Dom0, through the kernel's own hypercall macro,
 * which names a call by __HYPERVISOR_<name>. The mechanism behind it
 * changed inside a stable series (hypercall_page, then the xen_hypercall
 * static call after XSA-466, in 6.1.y too: Debian 12's 6.1.0-56 has it),
 * so LINUX_VERSION_CODE cannot choose; the kernel's macro always can.
 */
#define __HYPERVISOR_blanket_l1_op BLANKET_L1_HYPERCALL

static inline long blanket_l1_hypercall(unsigned int op, void *arg)
{
	return _hypercall2(long, blanket_l1_op, op, arg);
}

#endif /* _BLANKET_COMPAT_H */
