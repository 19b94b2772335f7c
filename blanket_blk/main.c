// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_blk: the blkif frontend to the outer Xen's (L0) blkback.
 *
 * Binds to "vbd" devices on the blanket bus. The ring protocol itself is
 * not implemented yet: probe refuses the device, so nothing half-built
 * is ever handed to the rest of the kernel.
 */

#include <linux/module.h>

#include <blanket/xenbus.h>

static int blanket_blk_probe(struct blanket_device *bdev,
			     const struct blanket_device_id *id)
{
	dev_notice(&bdev->dev, "%s: protocol not implemented yet\n",
		   bdev->nodename);
	return -ENODEV;
}

static const struct blanket_device_id blanket_blk_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct blanket_driver blanket_blk_driver = {
	.driver.name = KBUILD_MODNAME,
	.ids = blanket_blk_ids,
	.probe = blanket_blk_probe,
};

static int __init blanket_blk_init(void)
{
	return blanket_register_driver(&blanket_blk_driver);
}

static void __exit blanket_blk_exit(void)
{
	blanket_unregister_driver(&blanket_blk_driver);
}

module_init(blanket_blk_init);
module_exit(blanket_blk_exit);

MODULE_DESCRIPTION("blanket: blkif frontend to the outer Xen's (L0) blkback");
MODULE_LICENSE("GPL");
MODULE_ALIAS("blanket:vbd");
