// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_net: the netif frontend to the outer Xen's (L0) netback.
 *
 * Binds to "vif" devices on the blanket bus. The ring protocol itself is
 * not implemented yet: probe refuses the device, so nothing half-built
 * is ever handed to the rest of the kernel.
 */

#include <linux/module.h>

#include <blanket/xenbus.h>

static int blanket_net_probe(struct blanket_device *bdev,
			     const struct blanket_device_id *id)
{
	dev_notice(&bdev->dev, "%s: protocol not implemented yet\n",
		   bdev->nodename);
	return -ENODEV;
}

static const struct blanket_device_id blanket_net_ids[] = {
	{ "vif" },
	{ "" }
};

static struct blanket_driver blanket_net_driver = {
	.driver.name = KBUILD_MODNAME,
	.ids = blanket_net_ids,
	.probe = blanket_net_probe,
};

static int __init blanket_net_init(void)
{
	return blanket_register_driver(&blanket_net_driver);
}

static void __exit blanket_net_exit(void)
{
	blanket_unregister_driver(&blanket_net_driver);
}

module_init(blanket_net_init);
module_exit(blanket_net_exit);

MODULE_DESCRIPTION("blanket: netif frontend to the outer Xen's (L0) netback");
MODULE_LICENSE("GPL");
MODULE_ALIAS("blanket:vif");
