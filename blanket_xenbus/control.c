// SPDX-License-Identifier: GPL-2.0
/*
 * L0's toolstack asks a machine with PV drivers to suspend, to save or
 * migrate it, by writing "suspend" to control/shutdown of its domain. It
 * then waits for the machine to clear the node and, in a minute or so,
 * to make the suspend call itself. control/feature-suspend says we can:
 * only a transport that can have L0 save the machine says so.
 */

#include <linux/slab.h>

#include <blanket/test_export.h>
#include "l0.h"

/* Take a suspend request, clearing the node as the answer L0 waits for. */
static int blanket_control_take(struct blanket_xs *xs, blanket_xbt_t t,
				void *ctx)
{
	bool *suspend = ctx;
	char *req;
	int err = 0;

	*suspend = false;
	req = blanket_xs_read(xs, t, "control", "shutdown", NULL);
	if (IS_ERR(req))
		return PTR_ERR(req) == -ENOENT ? 0 : PTR_ERR(req);
	/* Power off, reboot: the machine's firmware answers those, not us. */
	if (!strcmp(req, "suspend")) {
		err = blanket_xs_write(xs, t, "control", "shutdown", "");
		*suspend = !err;
	}
	kfree(req);
	return err;
}

static void blanket_control_changed(struct blanket_xs_watch *watch,
				    const char *path)
{
	struct blanket_l0 *l0 = container_of(watch, struct blanket_l0,
					     control_watch);
	bool suspend;
	int err;

	err = blanket_xs_transact(&l0->xs, blanket_control_take, &suspend);
	if (err) {
		dev_err_ratelimited(l0->dev, "control/shutdown: cannot take L0's request: %d\n",
				    err);
		return;
	}
	if (suspend) {
		dev_info(l0->dev, "L0 asks the machine to suspend\n");
		blanket_l0_suspend(l0);
	}
}

/*
 * Offer to suspend, and listen for L0 asking. The offer is a courtesy
 * that a toolstack may not allow us to make: it is not needed to be asked.
 */
int blanket_control_start(struct blanket_l0 *l0)
{
	int err;

	if (!blanket_l0_can_suspend(l0))
		return 0;
	err = blanket_xs_write(&l0->xs, BLANKET_XBT_NIL, "control",
			       "feature-suspend", "1");
	if (err)
		dev_warn(l0->dev, "cannot write control/feature-suspend: %d\n", err);
	return blanket_xs_watch(&l0->xs, &l0->control_watch, "control/shutdown",
				blanket_control_changed);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_control_start);

void blanket_control_stop(struct blanket_l0 *l0)
{
	if (blanket_l0_can_suspend(l0))
		blanket_xs_unwatch(&l0->xs, &l0->control_watch);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_control_stop);
