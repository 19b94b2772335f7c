// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_xenbus: a xenbus client of the outer hypervisor (L0), beside
 * the kernel's own xenbus, and the "blanket" bus L0's devices appear on.
 */

#include <linux/module.h>

#include "bus.h"
#include "l0.h"

static int __init blanket_xenbus_init(void)
{
	int err;

	err = blanket_bus_init();
	if (err)
		return err;
	err = blanket_platform_init();
	if (err)
		blanket_bus_exit();
	return err;
}

static void __exit blanket_xenbus_exit(void)
{
	blanket_platform_exit();
	blanket_bus_exit();
}

module_init(blanket_xenbus_init);
module_exit(blanket_xenbus_exit);

MODULE_DESCRIPTION("blanket: xenbus, event channels and grant tables of the outer Xen (L0)");
MODULE_LICENSE("GPL");
MODULE_VERSION(BLANKET_VERSION);
