// SPDX-License-Identifier: GPL-2.0
/*
 * The client API: everything a frontend driver calls on its device, from
 * the XenbusState handshake to the event channels, grants and shared ring
 * pages it sets up with the backend in L0, and the report of a device
 * the backend broke. Of all this the bus (bus.c) calls only
 * blanket_switch_state() and blanket_state_name(), the L0 connection
 * (l0.c) nothing.
 */

#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/slab.h>

#include <blanket/test_export.h>
#include "bus.h"
#include "l0.h"

static const char *const blanket_state_names[] = {
	[XenbusStateUnknown] = "Unknown",
	[XenbusStateInitialising] = "Initialising",
	[XenbusStateInitWait] = "InitWait",
	[XenbusStateInitialised] = "Initialised",
	[XenbusStateConnected] = "Connected",
	[XenbusStateClosing] = "Closing",
	[XenbusStateClosed] = "Closed",
	[XenbusStateReconfiguring] = "Reconfiguring",
	[XenbusStateReconfigured] = "Reconfigured",
};

/**
 * blanket_state_name() - a XenbusState's name, for messages
 * @state: the state, valid or not
 *
 * Return: the name, or "Invalid" for a value that is no XenbusState.
 */
const char *blanket_state_name(enum xenbus_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(blanket_state_names))
		return "Invalid";
	return blanket_state_names[state];
}
EXPORT_SYMBOL_IF_KUNIT(blanket_state_name);

/* --- the XenbusState handshake ------------------------------------------- */

struct blanket_state_write {
	struct blanket_device *bdev;
	enum xenbus_state state;
};

static int blanket_write_state(struct blanket_xs *xs, blanket_xbt_t t, void *ctx)
{
	const struct blanket_state_write *w = ctx;
	char *old;

	old = blanket_xs_read(xs, t, w->bdev->nodename, "state", NULL);
	if (IS_ERR(old))
		return PTR_ERR(old);
	kfree(old);
	return blanket_xs_printf(xs, t, w->bdev->nodename, "state", "%d", w->state);
}

/*
 * Publish our state. Inside a transaction that first checks our directory
 * still exists, so that a late write cannot recreate a device that L0's
 * toolstack has just removed; and not at all into a directory that it
 * has created again (blanket_device_replaced()), which is another device's.
 */
static int blanket_publish_state(struct blanket_device *bdev,
				 enum xenbus_state state)
{
	struct blanket_state_write w = { .bdev = bdev, .state = state };
	int err;

	mutex_lock(&bdev->state_lock);
	err = bdev->replaced ? -ENOENT :
	      blanket_xs_transact(bdev->xs, blanket_write_state, &w);
	/* -ENOENT: L0 removed the device; its removal follows. */
	if (err && err != -ENOENT)
		dev_err(&bdev->dev, "cannot switch to %s: %d\n",
			blanket_state_name(state), err);
	if (!err)
		bdev->state = state;
	mutex_unlock(&bdev->state_lock);
	return err;
}

/*
 * Whether L0's toolstack has removed our directory and created it again
 * (a detach and an attach faster than we heard of the first): a device of
 * the same name that is not ours. The toolstack writes "state" as
 * Initialising when it creates the directory, and only we write it after
 * that; so Initialising there while the last state we wrote is another
 * means a new directory. (While ours is Initialising too, as when we start
 * over, the two look alike, and the device carries on with the new
 * backend as with a restarted one.) From then on @bdev writes no state,
 * which would be the new device's.
 */
bool blanket_device_replaced(struct blanket_device *bdev)
{
	bool replaced;
	u32 state;

	mutex_lock(&bdev->state_lock);
	if (!bdev->replaced && bdev->state != XenbusStateInitialising &&
	    !blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->nodename,
				 "state", &state) &&
	    state == XenbusStateInitialising)
		bdev->replaced = true;
	replaced = bdev->replaced;
	mutex_unlock(&bdev->state_lock);
	return replaced;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_device_replaced);

/**
 * blanket_switch_state() - publish our XenbusState, if it changes
 * @bdev: the device
 * @state: our new state
 *
 * Return: 0, or the xenstore error (-ENOENT once L0 removed the device).
 */
int blanket_switch_state(struct blanket_device *bdev, enum xenbus_state state)
{
	return state == bdev->state ? 0 : blanket_publish_state(bdev, state);
}
EXPORT_SYMBOL_GPL(blanket_switch_state);

/* The backend's state as xenstore has it now; Unknown if it has none. */
static enum xenbus_state blanket_read_otherend(struct blanket_device *bdev)
{
	u32 state;

	if (blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				"state", &state) || state > XenbusStateReconfigured)
		return XenbusStateUnknown;
	return state;
}

/**
 * blanket_read_flags() - read the backend's feature flags
 * @bdev: the device
 * @flags: the keys in the backend's directory, and where each goes
 * @nr: how many @flags
 * @base: the struct the offsets of @flags are into
 *
 * A flag is "0" or "1", false when absent. Anything else is a backend
 * not to be trusted with this device: the key is named.
 *
 * Return: 0, or -EPROTO for a malformed flag.
 */
int blanket_read_flags(struct blanket_device *bdev, const struct blanket_flag *flags,
		       unsigned int nr, void *base)
{
	unsigned int i;
	int err;

	for (i = 0; i < nr; i++) {
		err = blanket_xs_read_bool(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
					   flags[i].node, false,
					   (bool *)(base + flags[i].offset));
		if (err) {
			dev_err(&bdev->dev, "backend's %s is malformed (%d)\n",
				flags[i].node, err);
			return -EPROTO;
		}
	}
	return 0;
}
EXPORT_SYMBOL_GPL(blanket_read_flags);

/**
 * blanket_write_count() - publish a count in the device's directory
 * @bdev: the device
 * @t: the transaction the frontend's keys are written in
 * @node: the key, such as "multi-queue-num-queues"
 * @val: the count
 * @absent: what the backend takes the count to be when @node is missing
 *
 * Such keys are written only where the count differs from their absence,
 * and the device's directory outlives its connections: a key an earlier
 * connection wrote would tell the next backend of queues or ring pages
 * that are gone. At @absent the key is therefore removed.
 *
 * Return: 0 or a negative errno.
 */
int blanket_write_count(struct blanket_device *bdev, blanket_xbt_t t,
			const char *node, unsigned int val, unsigned int absent)
{
	int err;

	if (val != absent)
		return blanket_xs_printf(bdev->xs, t, bdev->nodename, node, "%u", val);
	err = blanket_xs_rm(bdev->xs, t, bdev->nodename, node);
	return err == -ENOENT ? 0 : err;
}
EXPORT_SYMBOL_GPL(blanket_write_count);

/**
 * blanket_trusted() - whether a connection may grant the backend memory in place
 * @bdev: the device
 * @param: the driver's "trusted" parameter, as read for this connection
 *
 * As the in-tree front ends do: the device is untrusted if @param says so,
 * or if the "trusted" key of its own directory says 0. L0 writes that key,
 * so it may only lower trust: a value that is not "0" or "1", or one that
 * cannot be read, leaves the device untrusted.
 *
 * Return: true if the backend may be granted memory beside the data.
 */
bool blanket_trusted(struct blanket_device *bdev, bool param)
{
	bool key;
	int err;

	if (!param)
		return false;
	err = blanket_xs_read_bool(bdev->xs, BLANKET_XBT_NIL, bdev->nodename,
				   "trusted", true, &key);
	if (err)
		dev_err(&bdev->dev, "%s/trusted is malformed or unreadable (%d): not trusting %s\n",
			bdev->nodename, err, bdev->otherend);
	return !err && key;
}
EXPORT_SYMBOL_GPL(blanket_trusted);

/**
 * blanket_await_otherend() - poll until the backend is at a state
 * @bdev: the device
 * @state: the state the backend is to reach, or pass in the closing order
 *
 * Returns once the backend is at @state or past it, or gone, or after
 * %BLANKET_CLOSE_TIMEOUT_MS with a warning. Polled, not watched: around
 * probe and remove there is no watch.
 */
void blanket_await_otherend(struct blanket_device *bdev, enum xenbus_state state)
{
	unsigned long end = jiffies + msecs_to_jiffies(BLANKET_CLOSE_TIMEOUT_MS);
	enum xenbus_state now;

	do {
		now = blanket_read_otherend(bdev);
		if (now == XenbusStateUnknown || now >= state)
			return;
		msleep(20);
	} while (time_before(jiffies, end));
	dev_warn(&bdev->dev, "backend stays %s, not %s\n",
		 blanket_state_name(now), blanket_state_name(state));
}
EXPORT_SYMBOL_GPL(blanket_await_otherend);

/**
 * blanket_close() - start letting go of a device whose rings we published
 * @bdev: the device
 *
 * Closing, and give the backend time to unmap what we shared (what it
 * still maps after that is parked by the grant table, never freed under
 * it). The driver then frees its rings and switches to Closed.
 */
void blanket_close(struct blanket_device *bdev)
{
	if ((bdev->state == XenbusStateInitialised ||
	     bdev->state == XenbusStateConnected) &&
	    !blanket_switch_state(bdev, XenbusStateClosing))
		blanket_await_otherend(bdev, XenbusStateClosing);
}
EXPORT_SYMBOL_GPL(blanket_close);

/**
 * blanket_reopen() - ask a Closed backend to start over
 * @bdev: the device, Closed like its backend
 *
 * Unless L0's toolstack is unplugging the device (it sets the backend's
 * "online" to 0 first), our Initialising asks the backend, or the one
 * that replaces it, to start over (blkback and netback answer a
 * Closed-then-Initialising frontend with InitWait). What was in flight is
 * the driver's to send again.
 *
 * Return: 0, or the error of publishing our state.
 */
int blanket_reopen(struct blanket_device *bdev)
{
	u32 online;

	if (!blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				 "online", &online) && !online)
		return 0;
	/* Nor when the backend's directory has gone already. */
	if (blanket_read_otherend(bdev) == XenbusStateUnknown)
		return 0;
	return blanket_switch_state(bdev, XenbusStateInitialising);
}
EXPORT_SYMBOL_GPL(blanket_reopen);

/**
 * blanket_handshake_reset() - start the handshake afresh, at probe
 * @bdev: the device
 *
 * A backend that an earlier driver (a module unloaded, a kernel before
 * kexec) left Connected or Closed is walked down through Closing and
 * Closed, then our Initialising sends it back to InitWait.
 *
 * Return: 0, or the error of publishing Initialising.
 */
int blanket_handshake_reset(struct blanket_device *bdev)
{
	switch (blanket_read_otherend(bdev)) {
	case XenbusStateConnected:
		blanket_publish_state(bdev, XenbusStateClosing);
		blanket_await_otherend(bdev, XenbusStateClosing);
		fallthrough;
	case XenbusStateClosing:
		blanket_publish_state(bdev, XenbusStateClosed);
		blanket_await_otherend(bdev, XenbusStateClosed);
		break;
	default:
		break;
	}
	return blanket_publish_state(bdev, XenbusStateInitialising);
}
EXPORT_SYMBOL_GPL(blanket_handshake_reset);

/**
 * blanket_wait_for_otherend() - wait until the backend reaches a state
 * @bdev: the device, bound (its backend's state is watched)
 * @state: the state to wait for
 * @timeout_ms: how long to wait
 *
 * Return: 0, or -ETIMEDOUT.
 */
int blanket_wait_for_otherend(struct blanket_device *bdev,
			      enum xenbus_state state, unsigned int timeout_ms)
{
	if (!wait_event_timeout(bdev->state_wq,
				READ_ONCE(bdev->otherend_state) == state,
				msecs_to_jiffies(timeout_ms)))
		return -ETIMEDOUT;
	return 0;
}
EXPORT_SYMBOL_GPL(blanket_wait_for_otherend);

/* --- a device its backend broke ------------------------------------------ */

/**
 * blanket_dev_fatal() - the backend broke the device: say so, once
 * @bdev: the device, bound to its driver
 * @broken: the driver's flag for the device
 * @fmt: what the backend did, printf-style
 *
 * The first call while @broken is clear sets it, reports "<what>; <the
 * driver's fatal_effect>", and runs the driver's fatal handler, all in
 * the caller's context, which may be atomic; later calls do nothing.
 * Nothing from a broken device's backend is believed any more: the
 * driver tests @broken, and clears it only when the backend starts over.
 */
void blanket_dev_fatal(struct blanket_device *bdev, bool *broken,
		       const char *fmt, ...)
{
	const struct blanket_driver *drv = to_blanket_driver(bdev->dev.driver);
	struct va_format vaf;
	va_list args;

	if (xchg(broken, true))
		return;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	dev_err(&bdev->dev, "%pV; %s\n", &vaf, drv->fatal_effect);
	va_end(args);
	if (drv->fatal)
		drv->fatal(bdev);
}
EXPORT_SYMBOL_GPL(blanket_dev_fatal);

/* --- event channels and grants to the backend ---------------------------- */

/* Devices on the bus come from an L0 connection's xenstore. */
static struct blanket_l0 *blanket_bdev_l0(struct blanket_device *bdev)
{
	return container_of(bdev->xs, struct blanket_l0, xs);
}

/**
 * blanket_alloc_evtchn() - a new port the backend's domain can bind to
 * @bdev: the device
 * @port: receives the port
 *
 * Return: 0, the hypercall's error, or -EIO for a port L0 cannot have.
 */
int blanket_alloc_evtchn(struct blanket_device *bdev, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {
		.dom = DOMID_SELF, .remote_dom = bdev->otherend_id,
	};
	int err;

	err = blanket_l0_evtchn_op(blanket_bdev_l0(bdev),
				   EVTCHNOP_alloc_unbound, &op);
	if (err)
		return err;
	if (op.port >= EVTCHN_2L_NR_CHANNELS) {
		dev_err(&bdev->dev, "L0 allocated impossible port %u\n", op.port);
		return -EIO;
	}
	*port = op.port;
	return 0;
}
EXPORT_SYMBOL_GPL(blanket_alloc_evtchn);

/**
 * blanket_bind_evtchn() - handle the events of a port
 * @bdev: the device
 * @port: a port from blanket_alloc_evtchn()
 * @name: of the port's IRQ, as /proc/interrupts shows it
 * @handler: called in interrupt context for each event
 * @data: for @handler
 *
 * Return: 0, or a negative errno.
 */
int blanket_bind_evtchn(struct blanket_device *bdev, evtchn_port_t port,
			const char *name, blanket_evtchn_handler_t handler,
			void *data)
{
	return blanket_evtchn_bind(&blanket_bdev_l0(bdev)->ev, port, name,
				   handler, data);
}
EXPORT_SYMBOL_GPL(blanket_bind_evtchn);

/**
 * blanket_spread_evtchn() - put the port of queue @index on a CPU of its own
 * @bdev: the device
 * @port: a port bound with blanket_bind_evtchn()
 * @index: the queue's index
 *
 * Queue i goes to online CPU i modulo their number, and says so to
 * irqbalance with its affinity hint. Only a hint: the port works
 * wherever it is.
 */
void blanket_spread_evtchn(struct blanket_device *bdev, evtchn_port_t port,
			   unsigned int index)
{
	int irq = blanket_evtchn_irq(&blanket_bdev_l0(bdev)->ev, port);
	unsigned int cpu = cpumask_local_spread(index, NUMA_NO_NODE);

	if (irq > 0)
		irq_set_affinity_and_hint(irq, cpumask_of(cpu));
}
EXPORT_SYMBOL_GPL(blanket_spread_evtchn);

/**
 * blanket_free_evtchn() - unbind (if bound) and close a port
 * @bdev: the device
 * @port: the port
 *
 * In the driver's suspend after a restore L0 made unasked, the port is
 * the old domain's, gone with it: it is unbound only. The number may be
 * one of the new domain's.
 */
void blanket_free_evtchn(struct blanket_device *bdev, evtchn_port_t port)
{
	struct blanket_l0 *l0 = blanket_bdev_l0(bdev);
	struct evtchn_close close = { .port = port };

	blanket_evtchn_unbind(&l0->ev, port);
	if (!READ_ONCE(l0->lost))
		blanket_l0_evtchn_op(l0, EVTCHNOP_close, &close);
}
EXPORT_SYMBOL_GPL(blanket_free_evtchn);

/**
 * blanket_restore_pending() - whether a save of L0's explains a silence
 * @bdev: the device
 *
 * For a driver about to fail the device because its backend has not
 * answered for long: L0 may be saving the machine, having asked, or may
 * have restored it in a new domain without asking, where the backend is
 * another. Then the driver's suspend and resume come, or are under way,
 * and what waited goes to the new backend.
 *
 * Return: true if so: the device is not to be failed for the silence.
 */
bool blanket_restore_pending(struct blanket_device *bdev)
{
	return blanket_l0_restore_pending(blanket_bdev_l0(bdev));
}
EXPORT_SYMBOL_GPL(blanket_restore_pending);

/**
 * blanket_notify() - send an event to the backend
 * @bdev: the device
 * @port: the port
 *
 * Return: 0, or the hypercall's error.
 */
int blanket_notify(struct blanket_device *bdev, evtchn_port_t port)
{
	atomic64_inc(&bdev->notifications);
	return blanket_l0_send(blanket_bdev_l0(bdev), port);
}
EXPORT_SYMBOL_GPL(blanket_notify);

/**
 * blanket_grant_alloc() - take grant references for the device
 * @bdev: the device
 * @n: how many
 * @refs: receives them
 *
 * All or none; may sleep, growing the grant table up to L0's maximum.
 *
 * Return: 0, or a negative errno.
 */
int blanket_grant_alloc(struct blanket_device *bdev, unsigned int n,
			grant_ref_t *refs)
{
	int err = blanket_gnttab_alloc_refs(&blanket_bdev_l0(bdev)->gt, n, refs);

	if (!err)
		atomic64_add(n, &bdev->grants);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_grant_alloc);

/**
 * blanket_grant_page() - let the backend map a page through a reference
 * @bdev: the device
 * @ref: a reference from blanket_grant_alloc()
 * @page: the page
 * @readonly: whether the backend may only read it
 *
 * Return: 0, or a negative errno for a reference or frame L0 cannot take.
 */
int blanket_grant_page(struct blanket_device *bdev, grant_ref_t ref,
		       struct page *page, bool readonly)
{
	struct blanket_l0 *l0 = blanket_bdev_l0(bdev);

	return blanket_gnttab_grant(&l0->gt, ref, bdev->otherend_id,
				    l0->ops->pfn_to_gfn(page_to_pfn(page)),
				    readonly);
}
EXPORT_SYMBOL_GPL(blanket_grant_page);

/**
 * blanket_grant_end() - end the backend's access through a reference
 * @bdev: the device
 * @ref: the reference
 *
 * Return: 0, or -EBUSY while the backend still maps the page.
 */
int blanket_grant_end(struct blanket_device *bdev, grant_ref_t ref)
{
	return blanket_gnttab_end(&blanket_bdev_l0(bdev)->gt, ref);
}
EXPORT_SYMBOL_GPL(blanket_grant_end);

/**
 * blanket_grant_free() - free a reference whose access has ended
 * @bdev: the device
 * @ref: the reference, ended or never granted
 */
void blanket_grant_free(struct blanket_device *bdev, grant_ref_t ref)
{
	atomic64_dec(&bdev->grants);
	blanket_gnttab_free_ref(&blanket_bdev_l0(bdev)->gt, ref);
}
EXPORT_SYMBOL_GPL(blanket_grant_free);

/**
 * blanket_grant_end_free() - end access and free a reference, deferred
 * @bdev: the device
 * @ref: the reference
 * @page: the page granted, or NULL
 *
 * @page (if any) loses our reference only once the backend no longer
 * maps it.
 */
void blanket_grant_end_free(struct blanket_device *bdev, grant_ref_t ref,
			    struct page *page)
{
	/* The device is done with it; a deferred end shows in the L0 stats. */
	atomic64_dec(&bdev->grants);
	blanket_gnttab_end_and_free(&blanket_bdev_l0(bdev)->gt, ref, page);
}
EXPORT_SYMBOL_GPL(blanket_grant_end_free);

/* --- shared ring pages ----------------------------------------------------- */

/**
 * blanket_setup_ring() - a shared ring, granted to the backend
 * @bdev: the device
 * @order: the ring is 2^@order pages
 * @refs: receives one reference per page
 *
 * The pages are zeroed, each granted read-write to the backend.
 *
 * Return: the ring, or an ERR_PTR().
 */
void *blanket_setup_ring(struct blanket_device *bdev, unsigned int order,
			 grant_ref_t *refs)
{
	unsigned int i, nr = 1U << order;
	void *ring;
	int err;

	ring = (void *)__get_free_pages(GFP_KERNEL | __GFP_ZERO | __GFP_COMP, order);
	if (!ring)
		return ERR_PTR(-ENOMEM);
	err = blanket_grant_alloc(bdev, nr, refs);
	if (err) {
		free_pages((unsigned long)ring, order);
		return ERR_PTR(err);
	}
	for (i = 0; i < nr && !err; i++)
		err = blanket_grant_page(bdev, refs[i],
					 virt_to_page(ring + i * PAGE_SIZE), false);
	if (err) {
		blanket_teardown_ring(bdev, ring, order, refs);
		return ERR_PTR(err);
	}
	return ring;
}
EXPORT_SYMBOL_GPL(blanket_setup_ring);

/**
 * blanket_teardown_ring() - end a shared ring's grants and let it go
 * @bdev: the device
 * @ring: from blanket_setup_ring()
 * @order: as given to it
 * @refs: as it filled them in
 *
 * The backend can map a page we granted before we name its reference
 * anywhere, so this is also how a ring that was never published goes. A
 * page the backend still maps waits on the deferred end with a reference
 * of its own; the ring, a compound page, is freed when the last of its
 * pages is let go.
 */
void blanket_teardown_ring(struct blanket_device *bdev, void *ring,
			   unsigned int order, const grant_ref_t *refs)
{
	struct page *page = virt_to_page(ring);
	unsigned int i, nr = 1U << order, busy = 0;

	for (i = 0; i < nr; i++) {
		if (!blanket_grant_end(bdev, refs[i])) {
			blanket_grant_free(bdev, refs[i]);
			continue;
		}
		busy++;
		get_page(page + i);
		blanket_grant_end_free(bdev, refs[i], page + i);
	}
	if (busy)
		dev_err(&bdev->dev, "backend still maps %u ring page(s); the ring is freed when it lets go\n",
			busy);
	__free_pages(page, order);
}
EXPORT_SYMBOL_GPL(blanket_teardown_ring);
