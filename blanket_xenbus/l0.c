// SPDX-License-Identifier: GPL-2.0
/*
 * The L0 connection: wires the transport to shared info, event channels,
 * grant frames and xenstore, counts every hypercall, and gives the
 * frontend drivers their event channel and grant helpers.
 */

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>

#include "bus.h"
#include "l0.h"

static unsigned int xs_timeout_ms = 30000;
module_param(xs_timeout_ms, uint, 0444);
MODULE_PARM_DESC(xs_timeout_ms, "How long a request to L0's xenstore may take (ms)");

static int blanket_l0_evtchn_op(struct blanket_l0 *l0, int cmd, void *arg)
{
	atomic64_inc(&l0->hcalls[cmd == EVTCHNOP_send ? BLANKET_HC_EVTCHN_SEND :
				 BLANKET_HC_EVTCHN_OTHER]);
	return l0->ops->event_channel_op(l0, cmd, arg);
}

static int blanket_l0_physmap(struct blanket_l0 *l0, unsigned int space,
			      unsigned long idx, xen_pfn_t gfn)
{
	atomic64_inc(&l0->hcalls[BLANKET_HC_PHYSMAP]);
	return l0->ops->add_to_physmap(l0, space, idx, gfn);
}

static int blanket_l0_get_param(struct blanket_l0 *l0, u32 index, u64 *value)
{
	atomic64_inc(&l0->hcalls[BLANKET_HC_PARAM]);
	return l0->ops->get_param(l0, index, value);
}

static int blanket_l0_send(struct blanket_l0 *l0, evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return blanket_l0_evtchn_op(l0, EVTCHNOP_send, &send);
}

static int blanket_l0_unmask(void *ctx, evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	return blanket_l0_evtchn_op(ctx, EVTCHNOP_unmask, &unmask);
}

/* Page 0 of the platform BAR is for shared info, grant frames follow. */
xen_pfn_t blanket_l0_bar_gfn(struct blanket_l0 *l0, unsigned int page)
{
	return PHYS_PFN(l0->mmio) + page;
}

static int blanket_l0_map_grant_frame(void *ctx, unsigned int index,
				      struct grant_entry_v1 **entries)
{
	struct blanket_l0 *l0 = ctx;
	xen_pfn_t gfn = blanket_l0_bar_gfn(l0, 1 + index);
	int err;

	err = blanket_l0_physmap(l0, XENMAPSPACE_grant_table, index, gfn);
	if (err)
		return err;
	*entries = memremap(PFN_PHYS(gfn), PAGE_SIZE, MEMREMAP_WB);
	return *entries ? 0 : -ENOMEM;
}

static void blanket_l0_store_notify(void *ctx)
{
	struct blanket_l0 *l0 = ctx;

	blanket_l0_send(l0, l0->store_port);
}

static bool blanket_l0_store_event(evtchn_port_t port, void *data)
{
	struct blanket_l0 *l0 = data;

	blanket_xs_event(&l0->xs);
	return true;
}

void blanket_l0_upcall(struct blanket_l0 *l0)
{
	blanket_evtchn_upcall(&l0->ev);
}

static int blanket_l0_stats_show(struct seq_file *m, void *unused)
{
	static const char *const kinds[BLANKET_HC_NR] = {
		[BLANKET_HC_VERSION] = "version",
		[BLANKET_HC_PARAM] = "hvm_param",
		[BLANKET_HC_PHYSMAP] = "add_to_physmap",
		[BLANKET_HC_GNTTAB] = "grant_table_op",
		[BLANKET_HC_EVTCHN_SEND] = "evtchn_send",
		[BLANKET_HC_EVTCHN_OTHER] = "evtchn_other",
	};
	struct blanket_l0 *l0 = m->private;
	struct blanket_evtchn_stats ev;
	struct blanket_gnttab_stats gt;
	struct blanket_xs_stats xs;
	int i;

	seq_printf(m, "transport %s\n", l0->ops->name);
	for (i = 0; i < BLANKET_HC_NR; i++)
		seq_printf(m, "hypercalls_%s %lld\n", kinds[i],
			   atomic64_read(&l0->hcalls[i]));
	blanket_evtchn_get_stats(&l0->ev, &ev);
	seq_printf(m, "upcalls %llu\nevents %llu\nevents_spurious %llu\n"
		   "events_throttled %llu\nevents_unbound %llu\n",
		   ev.upcalls, ev.events, ev.spurious, ev.throttled, ev.unbound);
	blanket_gnttab_get_stats(&l0->gt, &gt);
	seq_printf(m, "grant_frames %llu\ngrants_in_use %llu\ngrants_deferred %llu\n"
		   "grants_leaked %llu\n", gt.frames, gt.in_use, gt.deferred,
		   gt.leaked);
	blanket_xs_get_stats(&l0->xs, &xs);
	seq_printf(m, "xs_requests %llu\nxs_errors %llu\nxs_timeouts %llu\n"
		   "xs_unmatched %llu\nxs_watch_events %llu\nxs_watch_dropped %llu\n"
		   "xs_watch_overflow %llu\nxs_broken %d\n", xs.requests,
		   xs.errors, xs.timeouts, xs.unmatched, xs.watch_events,
		   xs.watch_dropped, xs.watch_overflow, blanket_xs_broken(&l0->xs));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blanket_l0_stats);

/* Unmap the frames, then forget the table that lists them. */
static void blanket_l0_teardown_gnttab(struct blanket_l0 *l0)
{
	unsigned int i;

	for (i = 0; i < l0->gt.nr_frames; i++)
		memunmap(l0->gt.frames[i]);
	blanket_gnttab_destroy(&l0->gt);
}

static int blanket_l0_setup_gnttab(struct blanket_l0 *l0)
{
	struct gnttab_query_size query = { .dom = DOMID_SELF };
	unsigned int max;
	int err;

	atomic64_inc(&l0->hcalls[BLANKET_HC_GNTTAB]);
	err = l0->ops->grant_table_op(l0, GNTTABOP_query_size, &query, 1);
	if (!err && query.status != GNTST_okay)
		err = -EIO;
	if (err)
		return err;
	/* As many frames as L0 allows and the BAR holds beside shared info. */
	max = min_t(u64, query.max_nr_frames, l0->mmio_len / PAGE_SIZE - 1);
	if (!max)
		return -ENOSPC;
	err = blanket_gnttab_init(&l0->gt, max, blanket_l0_map_grant_frame, l0);
	if (err)
		return err;
	/* At least one frame now: a mapping that fails should fail here. */
	err = blanket_gnttab_grow_to(&l0->gt, max(query.nr_frames, 1U));
	if (err)
		blanket_l0_teardown_gnttab(l0);
	return err;
}

static int blanket_l0_setup_store(struct blanket_l0 *l0)
{
	u64 pfn, port;
	int err;

	err = blanket_l0_get_param(l0, HVM_PARAM_STORE_PFN, &pfn);
	if (!err)
		err = blanket_l0_get_param(l0, HVM_PARAM_STORE_EVTCHN, &port);
	if (err)
		return err;
	/* A page beyond what the CPU can address is no page at all. */
	if (!pfn || pfn >> (boot_cpu_data.x86_phys_bits - PAGE_SHIFT) ||
	    !port || port >= EVTCHN_2L_NR_CHANNELS) {
		dev_err(l0->dev, "L0 gave an unusable xenstore page %#llx or port %llu\n",
			pfn, port);
		return -EINVAL;
	}
	l0->store = memremap(PFN_PHYS(pfn), PAGE_SIZE, MEMREMAP_WB);
	if (!l0->store)
		return -ENOMEM;
	l0->store_port = port;
	err = blanket_xs_init(&l0->xs, l0->store, blanket_l0_store_notify, l0,
			      l0->dev, xs_timeout_ms);
	if (err)
		goto unmap;
	err = blanket_evtchn_bind(&l0->ev, l0->store_port,
				  blanket_l0_store_event, l0);
	if (err)
		goto destroy;
	return 0;
destroy:
	blanket_xs_destroy(&l0->xs);
unmap:
	memunmap(l0->store);
	return err;
}

static void blanket_l0_teardown_store(struct blanket_l0 *l0)
{
	blanket_evtchn_unbind(&l0->ev, l0->store_port);
	blanket_xs_destroy(&l0->xs);
	memunmap(l0->store);
}

/* Bring up everything above the transport, then find our devices. */
int blanket_l0_start(struct blanket_l0 *l0)
{
	int err;

	if (l0->mmio_len < 2 * PAGE_SIZE)
		return -ENOSPC;
	l0->shared = l0->ops->map_shared(l0);
	if (IS_ERR(l0->shared))
		return PTR_ERR(l0->shared);

	err = blanket_l0_setup_gnttab(l0);
	if (err)
		goto unmap_shared;
	blanket_evtchn_init(&l0->ev, l0->shared, blanket_l0_unmask, l0);
	l0->ev.unmask_by_owner = l0->ops->unmask_by_hypercall;
	err = l0->ops->bind_upcall(l0);
	if (err)
		goto destroy_gnttab;
	err = blanket_l0_setup_store(l0);
	if (err)
		goto unbind_upcall;

	l0->debugfs = debugfs_create_dir(dev_name(l0->dev), blanket_bus_debugfs());
	debugfs_create_file("stats", 0444, l0->debugfs, l0, &blanket_l0_stats_fops);

	err = blanket_enum_start(&l0->devices, &l0->xs, l0->dev);
	if (err)
		goto teardown;
	return 0;

teardown:
	debugfs_remove_recursive(l0->debugfs);
	blanket_l0_teardown_store(l0);
unbind_upcall:
	l0->ops->unbind_upcall(l0);
destroy_gnttab:
	blanket_evtchn_destroy(&l0->ev);
	blanket_l0_teardown_gnttab(l0);
unmap_shared:
	l0->ops->unmap_shared(l0);
	return err;
}

void blanket_l0_stop(struct blanket_l0 *l0)
{
	blanket_enum_stop(&l0->devices);
	debugfs_remove_recursive(l0->debugfs);
	blanket_l0_teardown_store(l0);
	l0->ops->unbind_upcall(l0);
	blanket_evtchn_destroy(&l0->ev);
	blanket_l0_teardown_gnttab(l0);
	l0->ops->unmap_shared(l0);
}

/* --- for the frontend drivers --------------------------------------------- */

/* Devices on the bus come from an L0 connection's xenstore. */
static struct blanket_l0 *blanket_bdev_l0(struct blanket_device *bdev)
{
	return container_of(bdev->xs, struct blanket_l0, xs);
}

/* A new port that the backend's domain can bind to. */
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

int blanket_bind_evtchn(struct blanket_device *bdev, evtchn_port_t port,
			blanket_evtchn_handler_t handler, void *data)
{
	return blanket_evtchn_bind(&blanket_bdev_l0(bdev)->ev, port, handler, data);
}
EXPORT_SYMBOL_GPL(blanket_bind_evtchn);

/* Unbind (if bound) and close @port. */
void blanket_free_evtchn(struct blanket_device *bdev, evtchn_port_t port)
{
	struct blanket_l0 *l0 = blanket_bdev_l0(bdev);
	struct evtchn_close close = { .port = port };

	blanket_evtchn_unbind(&l0->ev, port);
	blanket_l0_evtchn_op(l0, EVTCHNOP_close, &close);
}
EXPORT_SYMBOL_GPL(blanket_free_evtchn);

int blanket_notify(struct blanket_device *bdev, evtchn_port_t port)
{
	atomic64_inc(&bdev->notifications);
	return blanket_l0_send(blanket_bdev_l0(bdev), port);
}
EXPORT_SYMBOL_GPL(blanket_notify);

int blanket_grant_alloc(struct blanket_device *bdev, unsigned int n,
			grant_ref_t *refs)
{
	int err = blanket_gnttab_alloc_refs(&blanket_bdev_l0(bdev)->gt, n, refs);

	if (!err)
		atomic64_add(n, &bdev->grants);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_grant_alloc);

/* Let the backend map @page through @ref. */
int blanket_grant_page(struct blanket_device *bdev, grant_ref_t ref,
		       struct page *page, bool readonly)
{
	struct blanket_l0 *l0 = blanket_bdev_l0(bdev);

	return blanket_gnttab_grant(&l0->gt, ref, bdev->otherend_id,
				    l0->ops->pfn_to_gfn(page_to_pfn(page)),
				    readonly);
}
EXPORT_SYMBOL_GPL(blanket_grant_page);

/* 0, or -EBUSY while the backend still maps the page. */
int blanket_grant_end(struct blanket_device *bdev, grant_ref_t ref)
{
	return blanket_gnttab_end(&blanket_bdev_l0(bdev)->gt, ref);
}
EXPORT_SYMBOL_GPL(blanket_grant_end);

/* Free a reference whose access has ended (or was never granted). */
void blanket_grant_free(struct blanket_device *bdev, grant_ref_t ref)
{
	atomic64_dec(&bdev->grants);
	blanket_gnttab_free_ref(&blanket_bdev_l0(bdev)->gt, ref);
}
EXPORT_SYMBOL_GPL(blanket_grant_free);

/*
 * End access and free @ref; @page (if any) loses our reference only once
 * the backend no longer maps it.
 */
void blanket_grant_end_free(struct blanket_device *bdev, grant_ref_t ref,
			    struct page *page)
{
	/* The device is done with it; a deferred end shows in the L0 stats. */
	atomic64_dec(&bdev->grants);
	blanket_gnttab_end_and_free(&blanket_bdev_l0(bdev)->gt, ref, page);
}
EXPORT_SYMBOL_GPL(blanket_grant_end_free);

/*
 * A shared ring of 2^@order zeroed pages, each granted read-write to the
 * backend; @refs receives one reference per page.
 */
void *blanket_ring_alloc(struct blanket_device *bdev, unsigned int order,
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
		blanket_ring_free(bdev, ring, order, refs);
		return ERR_PTR(err);
	}
	return ring;
}
EXPORT_SYMBOL_GPL(blanket_ring_alloc);

/*
 * End the ring's grants and let it go. The backend can map a page we
 * granted before we name its reference anywhere, so this is also how a
 * ring that was never published goes. A page the backend still maps waits
 * on the deferred end with a reference of its own; the ring, a compound
 * page, is freed when the last of its pages is let go.
 */
void blanket_ring_free(struct blanket_device *bdev, void *ring,
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
EXPORT_SYMBOL_GPL(blanket_ring_free);
