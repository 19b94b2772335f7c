// SPDX-License-Identifier: GPL-2.0
/*
 * L0's platform PCI device (vendor 0x5853, device 0x0001): its presence
 * says L0 is Xen, its MMIO BAR is where L0's shared info and grant frames
 * are placed, and its interrupt carries L0's upcall in direct mode.
 */

#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <xen/xen.h>

#include "l0.h"

#define BLANKET_PLATFORM_MMIO_BAR 1

/* A PV domain reaches L0 only through its L1 Xen; anything else directly. */
static const struct blanket_transport_ops *
blanket_platform_transport(struct device *dev)
{
	int err;

	if (xen_pv_domain()) {
		err = blanket_forwarded_init(dev);
		return err ? ERR_PTR(err) : &blanket_forwarded_ops;
	}
	err = blanket_direct_init(dev);
	return err ? ERR_PTR(err) : &blanket_direct_ops;
}

static int blanket_platform_probe(struct pci_dev *pdev,
				  const struct pci_device_id *id)
{
	const struct blanket_transport_ops *ops;
	struct blanket_l0 *l0;
	int err;

	ops = blanket_platform_transport(&pdev->dev);
	if (IS_ERR(ops))
		return PTR_ERR(ops);

	err = pcim_enable_device(pdev);
	if (err)
		return err;
	/* Reserved, not mapped: L0 places pages there that we memremap WB. */
	err = pci_request_region(pdev, BLANKET_PLATFORM_MMIO_BAR, "blanket");
	if (err)
		return err;

	l0 = devm_kzalloc(&pdev->dev, sizeof(*l0), GFP_KERNEL);
	if (!l0)
		return -ENOMEM;
	l0->ops = ops;
	l0->pdev = pdev;
	l0->dev = &pdev->dev;
	l0->mmio = pci_resource_start(pdev, BLANKET_PLATFORM_MMIO_BAR);
	l0->mmio_len = pci_resource_len(pdev, BLANKET_PLATFORM_MMIO_BAR);

	err = blanket_l0_start(l0);
	if (err) {
		dev_err(&pdev->dev, "cannot connect to L0: %d\n", err);
		return err;
	}
	pci_set_drvdata(pdev, l0);
	dev_info(&pdev->dev, "connected to L0 (%s transport)\n", l0->ops->name);
	return 0;
}

static void blanket_platform_remove(struct pci_dev *pdev)
{
	blanket_l0_stop(pci_get_drvdata(pdev));
}

static const struct pci_device_id blanket_platform_ids[] = {
	{ PCI_DEVICE(0x5853, 0x0001) },
	{ }
};
MODULE_DEVICE_TABLE(pci, blanket_platform_ids);

static struct pci_driver blanket_platform_driver = {
	.name = "blanket_platform",
	.id_table = blanket_platform_ids,
	.probe = blanket_platform_probe,
	.remove = blanket_platform_remove,
};

int blanket_platform_init(void)
{
	return pci_register_driver(&blanket_platform_driver);
}

void blanket_platform_exit(void)
{
	pci_unregister_driver(&blanket_platform_driver);
}
