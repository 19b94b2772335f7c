// SPDX-License-Identifier: GPL-2.0
/*
 * Surviving L0's saves of the machine: the one it asks for (control.c
 * hears the request, blanket_l0_suspend() answers it) and the one it makes
 * without asking, which only a port of ours going missing gives away.
 * Either way the machine runs on in a new domain, where nothing of the
 * old one's ports, grant frames, xenstore connection or backends is left.
 */

#include <linux/module.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/memory.h>

#include <blanket/test_export.h>
#include "bus.h"
#include "l0.h"

static unsigned int restore_check_ms = 1000;
module_param(restore_check_ms, uint, 0444);
MODULE_PARM_DESC(restore_check_ms,
		 "How often to look for a restore L0 made without asking (ms, 0: never)");

/*
 * L0 restored the machine in a new domain: none of its grant frames is
 * ours until added again where they were. The table it starts has every
 * entry unused, so what waited for L0 to let go of a grant is freed.
 */
static int blanket_l0_restore_frames(struct blanket_l0 *l0)
{
	unsigned int i;
	int err = 0;

	mutex_lock(&l0->gt.grow_lock);
	for (i = 0; !err && i < l0->gt.nr_frames; i++)
		err = blanket_l0_physmap(l0, XENMAPSPACE_grant_table, i,
					 blanket_l0_bar_gfn(l0, 1 + i));
	mutex_unlock(&l0->gt.grow_lock);
	if (err)
		dev_err(l0->dev, "grant frame %u not ours again after L0's restore: %d\n",
			i - 1, err);
	return err;
}

/*
 * xenstore has a new port in the new domain (the old one is forgotten,
 * not closed: its number is the new domain's) and a new xenstored on the
 * ring, which stays where it was.
 */
static int blanket_l0_restore_store(struct blanket_l0 *l0)
{
	evtchn_port_t port;
	u64 pfn;
	int err;

	blanket_evtchn_unbind(&l0->ev, l0->store_port);
	err = blanket_l0_store_params(l0, &pfn, &port);
	if (!err && pfn != l0->store_pfn) {
		dev_err(l0->dev, "L0 moved our xenstore ring with its restore\n");
		err = -EINVAL;
	}
	if (err)
		return err;
	blanket_xs_reset(&l0->xs);
	l0->store_port = port;
	return blanket_l0_bind_store(l0);
}

/*
 * The sentinel: a port of ours that nothing uses, unbound, for our own
 * domain, whose id its status names. In a domain L0 restored the machine
 * in, the port is closed, or another, made by L0's toolstack for another
 * domain: a restore nobody told us of shows there.
 */
static void blanket_l0_sentinel_make(struct blanket_l0 *l0)
{
	struct evtchn_alloc_unbound alloc = {
		.dom = DOMID_SELF, .remote_dom = DOMID_SELF,
	};
	struct evtchn_status status = { .dom = DOMID_SELF };
	int err;

	WRITE_ONCE(l0->sentinel, 0);
	err = blanket_l0_evtchn_op(l0, EVTCHNOP_alloc_unbound, &alloc);
	if (err)
		goto fail;
	status.port = alloc.port;
	err = blanket_l0_evtchn_op(l0, EVTCHNOP_status, &status);
	if (!err && (!alloc.port || status.status != EVTCHNSTAT_unbound))
		err = -EPROTO;
	if (err) {
		struct evtchn_close close = { .port = alloc.port };

		blanket_l0_evtchn_op(l0, EVTCHNOP_close, &close);
		goto fail;
	}
	l0->sentinel_dom = status.u.unbound.dom;
	WRITE_ONCE(l0->sentinel, alloc.port);
	return;
fail:
	dev_warn(l0->dev, "no sentinel port (%d): a restore L0 makes without asking goes unnoticed\n",
		 err);
}

/*
 * Whether the sentinel is still what we made: 1 if not (a new domain), 0
 * if so, or why L0 will not say.
 */
static int blanket_l0_sentinel_gone(struct blanket_l0 *l0)
{
	struct evtchn_status status = { .dom = DOMID_SELF, .port = l0->sentinel };
	int err;

	err = blanket_l0_evtchn_op(l0, EVTCHNOP_status, &status);
	/* A port past those the new domain has. */
	if (err == -EINVAL)
		return 1;
	if (err)
		return err;
	return status.status != EVTCHNSTAT_unbound ||
	       status.u.unbound.dom != l0->sentinel_dom;
}

/*
 * After the devices let go of their backends, and whether or not L0 asked:
 * the new domain's (@restored) xenstore is set up again, or the old one's
 * (L0 cancelled its save) released; every device then follows its
 * backend. @err: the connection could not be set up again, and every
 * device fails.
 */
static int blanket_l0_resume(struct blanket_l0 *l0, bool restored, int err)
{
	int ret;

	if (restored) {
		blanket_bus_restored(&l0->xs);
		err = err ?: blanket_l0_restore_store(l0);
	}
	if (err)
		blanket_xs_fail(&l0->xs, "L0's restore left no connection", err);
	ret = blanket_xs_resume(&l0->xs, restored);
	err = err ?: ret;
	/* The old domain's sentinel went with it, forgotten as its ports. */
	if (!err && restored && l0->sentinel)
		blanket_l0_sentinel_make(l0);
	blanket_enum_resume(&l0->devices, restored, err);
	return err;
}

/**
 * blanket_l0_suspend() - have L0 save the machine, and go on after it
 * @l0: the connection
 *
 * L0's toolstack asked for it (control.c). Every device closes its
 * connection, xenstore goes quiet, and the transport has L0 save the
 * machine. In the machine L0 restores, a new domain, what lived in L0 is
 * set up again and the devices connect to their new backends; if L0
 * cancelled the save, they connect to the old ones again. A device that
 * cannot is failed, with every device if the connection cannot be.
 *
 * Return: 0 (restored or cancelled), or why the connection failed.
 */
int blanket_l0_suspend(struct blanket_l0 *l0)
{
	bool restored;
	int ret, err;

	mutex_lock(&l0->save_lock);
	blanket_bus_suspend(&l0->xs, false);
	err = blanket_xs_suspend(&l0->xs);
	if (err) {
		dev_err(l0->dev, "xenstore did not go quiet for L0's save: %d\n", err);
		blanket_enum_resume(&l0->devices, false, 0);
		goto unlock;
	}
	ret = l0->ops->suspend(l0);
	restored = !ret;
	err = min(ret, 0);
	if (restored && !err)
		err = blanket_l0_restore_frames(l0);
	err = blanket_l0_resume(l0, restored, err);
	if (!err)
		dev_info(l0->dev, "%s\n", restored ? "restored by L0, in a new domain" :
			 "L0 cancelled its save");
unlock:
	mutex_unlock(&l0->save_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l0_suspend);

/*
 * L0 saved the machine without asking and restored it in a new domain.
 * Shared info, the upcall and the grant frames come back first, so that
 * the devices, letting go of their backends without a word to them (the
 * backends are gone), end their grants in the new table and close none of
 * the new domain's ports. xenstore requests left unanswered by the old
 * xenstored are sent again to the new one.
 */
static void blanket_l0_recover(struct blanket_l0 *l0)
{
	int err;

	dev_warn(l0->dev, "L0 restored the machine without asking it: connecting again\n");
	blanket_xs_lose(&l0->xs);
	err = l0->ops->reattach(l0);
	if (err)
		dev_err(l0->dev, "L0's shared info or upcall could not be set again after its save: %d\n",
			err);
	err = err ?: blanket_l0_restore_frames(l0);
	WRITE_ONCE(l0->lost, true);
	blanket_bus_suspend(&l0->xs, true);
	WRITE_ONCE(l0->lost, false);
	if (!blanket_l0_resume(l0, true, err))
		dev_info(l0->dev, "restored by L0 unasked, in a new domain\n");
}

/* 1 if the sentinel says we are in a new domain, 0 if not; save_lock held. */
static int blanket_l0_sentinel_check(struct blanket_l0 *l0)
{
	int gone;

	if (!l0->sentinel)
		return 0;
	gone = blanket_l0_sentinel_gone(l0);
	if (gone < 0) {
		dev_warn(l0->dev, "L0 will not tell what became of our sentinel port (%d): a restore it makes without asking goes unnoticed\n",
			 gone);
		WRITE_ONCE(l0->sentinel, 0);
		gone = 0;
	}
	return gone;
}

/**
 * blanket_l0_restore_pending() - whether a save of L0's explains a silence
 * @l0: the connection
 *
 * For what times out waiting for L0: a save L0 asked for may be under way,
 * or L0 may have restored the machine without asking, which has the
 * connection set up again soon (what waited for a backend goes to the new
 * one then).
 *
 * Return: true if so.
 */
bool blanket_l0_restore_pending(struct blanket_l0 *l0)
{
	int gone;

	if (!mutex_trylock(&l0->save_lock))
		return true;
	gone = blanket_l0_sentinel_check(l0);
	mutex_unlock(&l0->save_lock);
	if (gone)
		mod_delayed_work(system_wq, &l0->check_work, 0);
	return gone;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l0_restore_pending);

/* No event comes from a domain L0 restored us in unasked: only looking tells. */
static void blanket_l0_check_work(struct work_struct *work)
{
	struct blanket_l0 *l0 = container_of(to_delayed_work(work),
					     struct blanket_l0, check_work);

	/* A save L0 asked for makes the sentinel again once it is over. */
	if (mutex_trylock(&l0->save_lock)) {
		if (blanket_l0_sentinel_check(l0))
			blanket_l0_recover(l0);
		mutex_unlock(&l0->save_lock);
	}
	if (READ_ONCE(l0->sentinel))
		queue_delayed_work(system_wq, &l0->check_work,
				   msecs_to_jiffies(restore_check_ms));
}

/**
 * blanket_l0_save_start() - be ready for L0's saves
 * @l0: the connection, its xenstore set up
 *
 * A transport that can set shared info and the upcall again on its own
 * (its reattach) is watched for restores L0 makes without asking.
 */
void blanket_l0_save_start(struct blanket_l0 *l0)
{
	mutex_init(&l0->save_lock);
	INIT_DELAYED_WORK(&l0->check_work, blanket_l0_check_work);
	if (!blanket_l0_can_reattach(l0))
		return;
	if (!restore_check_ms)
		return;
	blanket_l0_sentinel_make(l0);
	if (l0->sentinel)
		queue_delayed_work(system_wq, &l0->check_work,
				   msecs_to_jiffies(restore_check_ms));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l0_save_start);

/* Before the connection goes: the sentinel goes with the domain's ports. */
void blanket_l0_save_stop(struct blanket_l0 *l0)
{
	struct evtchn_close close;

	/* The work, if it runs, does not queue itself again. */
	mutex_lock(&l0->save_lock);
	close.port = l0->sentinel;
	WRITE_ONCE(l0->sentinel, 0);
	mutex_unlock(&l0->save_lock);
	cancel_delayed_work_sync(&l0->check_work);
	if (close.port)
		blanket_l0_evtchn_op(l0, EVTCHNOP_close, &close);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l0_save_stop);
