// SPDX-License-Identifier: GPL-2.0
/*
 * The L0 connection: wires the transport to shared info, event channels,
 * grant frames and xenstore, and counts every hypercall.
 */

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>

#include <blanket/test_export.h>
#include "bus.h"
#include "l0.h"

/*
 * Read-only: the connection to L0's xenstore takes it when it is made, at
 * the module's load, and is never made again while the module is loaded.
 */
static unsigned int xs_timeout_ms = 30000;
module_param(xs_timeout_ms, uint, 0444);
MODULE_PARM_DESC(xs_timeout_ms, "How long a request to L0's xenstore may take (ms)");

int blanket_l0_physmap(struct blanket_l0 *l0, unsigned int space,
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

static int blanket_l0_unmask(void *ctx, evtchn_port_t port)
{
	struct evtchn_unmask unmask = { .port = port };

	return blanket_l0_evtchn_op(ctx, EVTCHNOP_unmask, &unmask);
}

static int blanket_l0_bind_vcpu(void *ctx, evtchn_port_t port, u32 vcpu)
{
	struct evtchn_bind_vcpu bind = { .port = port, .vcpu = vcpu };

	return blanket_l0_evtchn_op(ctx, EVTCHNOP_bind_vcpu, &bind);
}

static int blanket_l0_vcpu_id(void *ctx, unsigned int cpu, u32 *vcpu)
{
	struct blanket_l0 *l0 = ctx;

	return l0->ops->vcpu_id(l0, cpu, vcpu);
}

/* Page 0 of the platform BAR is for shared info, grant frames follow. */
xen_pfn_t blanket_l0_bar_gfn(struct blanket_l0 *l0, unsigned int page)
{
	return PHYS_PFN(l0->mmio) + page;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l0_bar_gfn);

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

/* On the CPU whose vCPU L0 raised it, or any if CPU 0's vCPU takes all. */
void blanket_l0_upcall(struct blanket_l0 *l0)
{
	u32 vcpu;

	if (l0->ops->vcpu_id(l0, smp_processor_id(), &vcpu))
		vcpu = 0;
	blanket_evtchn_upcall(&l0->ev, vcpu);
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
	seq_printf(m, "upcalls %llu\nupcall_cpus %u\nevents %llu\nevents_spurious %llu\n"
		   "events_throttled %llu\nevents_unbound %llu\n", ev.upcalls,
		   ev.upcall_cpus, ev.events, ev.spurious, ev.throttled, ev.unbound);
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

static int blanket_l0_ports_show(struct seq_file *m, void *unused)
{
	struct blanket_l0 *l0 = m->private;

	blanket_evtchn_show_ports(&l0->ev, m);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blanket_l0_ports);

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

/* Where L0 has our xenstore ring, and its port. */
int blanket_l0_store_params(struct blanket_l0 *l0, u64 *pfn,
			    evtchn_port_t *port)
{
	u64 evtchn;
	int err;

	err = blanket_l0_get_param(l0, HVM_PARAM_STORE_PFN, pfn);
	if (!err)
		err = blanket_l0_get_param(l0, HVM_PARAM_STORE_EVTCHN, &evtchn);
	if (err)
		return err;
	/* A page beyond what the CPU can address is no page at all. */
	if (!*pfn || *pfn >> (boot_cpu_data.x86_phys_bits - PAGE_SHIFT) ||
	    !evtchn || evtchn >= EVTCHN_2L_NR_CHANNELS) {
		dev_err(l0->dev, "L0 gave an unusable xenstore page %#llx or port %llu\n",
			*pfn, evtchn);
		return -EINVAL;
	}
	*port = evtchn;
	return 0;
}

int blanket_l0_bind_store(struct blanket_l0 *l0)
{
	return blanket_evtchn_bind(&l0->ev, l0->store_port, "blanket-xenstore",
				   blanket_l0_store_event, l0);
}

static int blanket_l0_setup_store(struct blanket_l0 *l0)
{
	int err;

	err = blanket_l0_store_params(l0, &l0->store_pfn, &l0->store_port);
	if (err)
		return err;
	l0->store = memremap(PFN_PHYS(l0->store_pfn), PAGE_SIZE, MEMREMAP_WB);
	if (!l0->store)
		return -ENOMEM;
	err = blanket_xs_init(&l0->xs, l0->store, blanket_l0_store_notify, l0,
			      l0->dev, xs_timeout_ms);
	if (err)
		goto unmap;
	err = blanket_l0_bind_store(l0);
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
	err = blanket_evtchn_init(&l0->ev, l0->shared, blanket_l0_unmask, l0);
	if (err)
		goto teardown_gnttab;
	if (l0->ops->setup_unmask)
		l0->ops->setup_unmask(l0);
	l0->ev.bind_vcpu = blanket_l0_bind_vcpu;
	l0->ev.vcpu_id = blanket_l0_vcpu_id;
	err = l0->ops->bind_upcall(l0);
	if (err)
		goto destroy_evtchn;
	err = blanket_l0_setup_store(l0);
	if (err)
		goto unbind_upcall;

	l0->debugfs = debugfs_create_dir(dev_name(l0->dev), blanket_bus_debugfs());
	debugfs_create_file("stats", 0444, l0->debugfs, l0, &blanket_l0_stats_fops);
	debugfs_create_file("ports", 0444, l0->debugfs, l0, &blanket_l0_ports_fops);

	/* Before a device or L0's request can look for a save. */
	blanket_l0_save_start(l0);
	err = blanket_enum_start(&l0->devices, &l0->xs, l0->dev);
	if (err)
		goto stop_save;
	err = blanket_control_start(l0);
	if (err)
		goto stop_enum;
	return 0;

stop_enum:
	blanket_enum_stop(&l0->devices);
stop_save:
	blanket_l0_save_stop(l0);
	debugfs_remove_recursive(l0->debugfs);
	blanket_l0_teardown_store(l0);
unbind_upcall:
	l0->ops->unbind_upcall(l0);
destroy_evtchn:
	blanket_evtchn_destroy(&l0->ev);
teardown_gnttab:
	blanket_l0_teardown_gnttab(l0);
unmap_shared:
	l0->ops->unmap_shared(l0);
	return err;
}

void blanket_l0_stop(struct blanket_l0 *l0)
{
	blanket_control_stop(l0);
	blanket_l0_save_stop(l0);
	blanket_enum_stop(&l0->devices);
	debugfs_remove_recursive(l0->debugfs);
	blanket_l0_teardown_store(l0);
	l0->ops->unbind_upcall(l0);
	blanket_evtchn_destroy(&l0->ev);
	blanket_l0_teardown_gnttab(l0);
	l0->ops->unmap_shared(l0);
}
