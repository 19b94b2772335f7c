// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_xenbus: a xenbus client of the outer hypervisor (L0), beside
 * the kernel's own xenbus, and the "blanket" bus L0's devices appear on.
 */

#include <linux/module.h>

#include "bus.h"

static int __init blanket_xenbus_init(void)
{
	return blanket_bus_init();
}

static void __exit blanket_xenbus_exit(void)
{
	blanket_bus_exit();
}

module_init(blanket_xenbus_init);
module_exit(blanket_xenbus_exit);

MODULE_DESCRIPTION("blanket: xenbus, event channels and grant tables of the outer Xen (L0)");
MODULE_LICENSE("GPL");
