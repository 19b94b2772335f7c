// SPDX-License-Identifier: GPL-2.0
/*
 * The fake L0. Everything the frontend helpers of blanket_xenbus do
 * through the transport lands here; what a backend does in L0 (map or
 * copy a grant, notify the frontend) is offered to fake backends.
 */

#include <linux/kthread.h>
#include <linux/slab.h>
#include <asm/sync_bitops.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>

#include "fake_l0.h"

#define WORD_BITS (sizeof(xen_ulong_t) * BITS_PER_BYTE)

/* Xen marking @port, bound to @vcpu, pending; true if that calls for an upcall. */
bool fake_evtchn_raise(struct shared_info *s, evtchn_port_t port, u32 vcpu)
{
	struct vcpu_info *v = &s->vcpu_info[vcpu];

	if (sync_test_and_set_bit(port, s->evtchn_pending))
		return false;
	if (sync_test_bit(port, s->evtchn_mask))
		return false;
	if (sync_test_and_set_bit(port / WORD_BITS, &v->evtchn_pending_sel))
		return false;
	WRITE_ONCE(v->evtchn_upcall_pending, 1);
	return true;
}
EXPORT_SYMBOL_GPL(fake_evtchn_raise);

/*
 * EVTCHNOP_unmask as Xen does it: re-raise an edge lost while masked, on
 * the vCPU the port is bound to now, but only if the port was masked
 * when the hypercall came.
 */
bool fake_evtchn_unmask(struct shared_info *s, evtchn_port_t port, u32 vcpu)
{
	struct vcpu_info *v = &s->vcpu_info[vcpu];

	if (!sync_test_and_clear_bit(port, s->evtchn_mask) ||
	    !sync_test_bit(port, s->evtchn_pending) ||
	    sync_test_and_set_bit(port / WORD_BITS, &v->evtchn_pending_sel))
		return false;
	WRITE_ONCE(v->evtchn_upcall_pending, 1);
	return true;
}
EXPORT_SYMBOL_GPL(fake_evtchn_unmask);

/* An upcall interrupt on no fake L0's: irqs off, softirqs run after. */
void fake_evtchn_upcall(struct blanket_evtchn *ev, u32 vcpu)
{
	unsigned long flags;

	local_bh_disable();
	local_irq_save(flags);
	blanket_evtchn_upcall(ev, vcpu);
	local_irq_restore(flags);
	local_bh_enable();
}
EXPORT_SYMBOL_GPL(fake_evtchn_upcall);

/*
 * The upcall interrupt of @vcpu, as after a real one. Upcalls of
 * different vCPUs may run at once.
 */
static void fake_l0_upcall(struct fake_l0 *fl0, u32 vcpu)
{
	unsigned long flags;

	local_bh_disable();
	spin_lock_irqsave(&fl0->upcall_lock[vcpu], flags);
	blanket_evtchn_upcall(&fl0->l0.ev, vcpu);
	spin_unlock_irqrestore(&fl0->upcall_lock[vcpu], flags);
	local_bh_enable();
}

static void fake_l0_upcall_work(struct work_struct *work)
{
	struct fake_l0 *fl0 = container_of(work, struct fake_l0, upcall_work);
	u32 vcpu;

	for (vcpu = 0; vcpu < FAKE_L0_VCPUS; vcpu++)
		if (READ_ONCE(fl0->l0.shared->vcpu_info[vcpu].evtchn_upcall_pending))
			fake_l0_upcall(fl0, vcpu);
}

static u32 fake_l0_port_vcpu(struct fake_l0 *fl0, evtchn_port_t port)
{
	return port < FAKE_L0_PORTS ? READ_ONCE(fl0->ports[port].vcpu) : 0;
}

void fake_l0_raise(struct fake_l0 *fl0, evtchn_port_t port)
{
	u32 vcpu = fake_l0_port_vcpu(fl0, port);

	if (fake_evtchn_raise(fl0->l0.shared, port, vcpu))
		fake_l0_upcall(fl0, vcpu);
}
EXPORT_SYMBOL_GPL(fake_l0_raise);

static int fake_l0_unmask(void *ctx, evtchn_port_t port)
{
	struct fake_l0 *fl0 = ctx;

	if (fake_evtchn_unmask(fl0->l0.shared, port, fake_l0_port_vcpu(fl0, port)))
		queue_work(system_highpri_wq, &fl0->upcall_work);
	return 0;
}

static int fake_l0_evtchn_op(struct blanket_l0 *l0, int cmd, void *arg)
{
	struct fake_l0 *fl0 = container_of(l0, struct fake_l0, l0);
	struct fake_l0_port *p;
	unsigned long flags;
	evtchn_port_t port;
	int err = 0;

	spin_lock_irqsave(&fl0->lock, flags);
	switch (cmd) {
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound *op = arg;

		/* Port 0 is never valid in Xen. */
		for (port = 1; port < FAKE_L0_PORTS; port++)
			if (!fl0->ports[port].open)
				break;
		if (port == FAKE_L0_PORTS) {
			err = -ENOSPC;
			break;
		}
		fl0->ports[port] = (struct fake_l0_port) {
			.open = true,
			.remote = op->remote_dom == DOMID_SELF ? fl0->domid :
				  op->remote_dom,
		};
		op->port = port;
		break;
	}
	case EVTCHNOP_status: {
		struct evtchn_status *op = arg;

		if (fl0->status_err || op->dom != DOMID_SELF || op->port >= FAKE_L0_PORTS) {
			err = fl0->status_err ?: -EINVAL;
			break;
		}
		p = &fl0->ports[op->port];
		op->status = !p->open ? EVTCHNSTAT_closed :
			     p->kick ? EVTCHNSTAT_interdomain : EVTCHNSTAT_unbound;
		op->u.unbound.dom = p->remote;
		break;
	}
	case EVTCHNOP_send:
		port = ((struct evtchn_send *)arg)->port;
		p = port < FAKE_L0_PORTS ? &fl0->ports[port] : NULL;
		if (!p || !p->open) {
			err = -EINVAL;
			break;
		}
		p->sends++;
		if (p->kick)
			p->kick(p->data);
		break;
	case EVTCHNOP_close:
		port = ((struct evtchn_close *)arg)->port;
		if (port >= FAKE_L0_PORTS || !fl0->ports[port].open) {
			err = -EINVAL;
			break;
		}
		fl0->ports[port] = (struct fake_l0_port) {};
		break;
	default:
		err = -EOPNOTSUPP;
	}
	spin_unlock_irqrestore(&fl0->lock, flags);
	return err;
}

/*
 * Armed by fake_l0_trap_grant() or fake_l0_trap_nth_grant(); the one
 * grant it traps disarms it.
 */
static struct {
	struct fake_l0 *fl0;
	unsigned long fail, map;	/* pfns */
	unsigned int countdown;		/* grants to let through, if by count */
	grant_ref_t *mapped;
} fake_l0_trap;

/* The backend maps the grant of @pfn, whichever reference it has. */
static void fake_l0_map_pfn(struct fake_l0 *fl0, unsigned long pfn,
			    grant_ref_t *mapped)
{
	unsigned int ref;

	for (ref = GNTTAB_NR_RESERVED_ENTRIES;
	     ref < FAKE_L0_GRANT_FRAMES * BLANKET_GNTTAB_PER_FRAME &&
	     fl0->frames[ref / BLANKET_GNTTAB_PER_FRAME]; ref++) {
		struct grant_entry_v1 *e = fl0->frames[ref / BLANKET_GNTTAB_PER_FRAME] +
					   ref % BLANKET_GNTTAB_PER_FRAME;

		if ((READ_ONCE(e->flags) & GTF_type_mask) == GTF_permit_access &&
		    READ_ONCE(e->frame) == pfn + FAKE_L0_GFN_OFFSET) {
			fake_l0_grant_map(fl0, ref, false);
			*mapped = ref;
			return;
		}
	}
	KUNIT_FAIL(fl0->test, "no grant of pfn %#lx to map", pfn);
}

/* Whether the grant of @pfn is the trapped one. Trap armed, grants serial. */
static bool fake_l0_trapped(unsigned long pfn)
{
	if (!fake_l0_trap.countdown)
		return pfn == fake_l0_trap.fail;
	if (--fake_l0_trap.countdown)
		fake_l0_trap.map = pfn;
	return !fake_l0_trap.countdown;
}

static xen_pfn_t fake_l0_pfn_to_gfn(unsigned long pfn)
{
	/* Pairs with the release when armed: the pfns come with it. */
	struct fake_l0 *fl0 = smp_load_acquire(&fake_l0_trap.fl0);

	if (fl0 && fake_l0_trapped(pfn) &&
	    cmpxchg(&fake_l0_trap.fl0, fl0, NULL) == fl0) {
		fake_l0_map_pfn(fl0, fake_l0_trap.map, fake_l0_trap.mapped);
		/* More than a v1 grant entry's 32 bits: this grant fails. */
		return (xen_pfn_t)U32_MAX + 1;
	}
	return pfn + FAKE_L0_GFN_OFFSET;
}

/*
 * EVTCHNOP_bind_vcpu. Called under the IRQ's raw lock: no lock of the
 * ports here, a hypercall takes none either.
 */
static int fake_l0_bind_vcpu(void *ctx, evtchn_port_t port, u32 vcpu)
{
	struct fake_l0 *fl0 = ctx;

	if (port >= FAKE_L0_PORTS || !READ_ONCE(fl0->ports[port].open) ||
	    vcpu >= FAKE_L0_VCPUS)
		return -EINVAL;
	WRITE_ONCE(fl0->ports[port].vcpu, vcpu);
	return 0;
}

/* CPU n is vCPU n. */
static int fake_l0_vcpu_id(void *ctx, unsigned int cpu, u32 *vcpu)
{
	if (cpu >= FAKE_L0_VCPUS)
		return -ENOENT;
	*vcpu = cpu;
	return 0;
}

/* A grant frame added again after a restore: the new domain's, unused. */
static int fake_l0_add_to_physmap(struct blanket_l0 *l0, unsigned int space,
				  unsigned long idx, xen_pfn_t gfn)
{
	struct fake_l0 *fl0 = container_of(l0, struct fake_l0, l0);

	if (space != XENMAPSPACE_grant_table || idx >= FAKE_L0_GRANT_FRAMES ||
	    !fl0->frames[idx] || gfn != blanket_l0_bar_gfn(l0, 1 + idx))
		return -EINVAL;
	if (fl0->physmap_err)
		return fl0->physmap_err;
	memset(fl0->frames[idx], 0, PAGE_SIZE);
	fl0->detached[idx] = false;
	return 0;
}

static int fake_l0_get_param(struct blanket_l0 *l0, u32 index, u64 *value)
{
	struct fake_l0 *fl0 = container_of(l0, struct fake_l0, l0);

	switch (index) {
	case HVM_PARAM_STORE_PFN:
		*value = fl0->store_pfn;
		return 0;
	case HVM_PARAM_STORE_EVTCHN:
		*value = fl0->store_port;
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * fake_l0_restore() - L0 restores the machine in a new domain
 * @fl0: the fake L0
 *
 * Whether the machine made the suspend call or not: the new domain has
 * another id, no port open but its own (xenstore's and the device model's,
 * 1 to FAKE_L0_RESTORE_PORTS), a new shared info page (every port masked),
 * nothing behind our grant frames until they are added again (the BAR
 * reads all ones), and another xenstored.
 */
void fake_l0_restore(struct fake_l0 *fl0)
{
	struct shared_info *s = fl0->l0.shared;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&fl0->lock, flags);
	memset(fl0->ports, 0, sizeof(fl0->ports));
	for (i = 1; i <= FAKE_L0_RESTORE_PORTS; i++)
		fl0->ports[i].open = true;
	fl0->store_port = FAKE_L0_RESTORE_STORE_PORT;
	fl0->domid++;
	spin_unlock_irqrestore(&fl0->lock, flags);
	memset(s, 0, sizeof(*s));
	memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));
	for (i = 0; i < FAKE_L0_GRANT_FRAMES; i++) {
		if (fl0->frames[i])
			memset(fl0->frames[i], 0xff, PAGE_SIZE);
		fl0->detached[i] = fl0->frames[i];
	}
	fake_xenstored_restore(fl0->xsd);
	if (fl0->toolstack)
		fl0->toolstack(fl0, fl0->toolstack_ctx);
}
EXPORT_SYMBOL_GPL(fake_l0_restore);

/* L0 saves the machine and, unless told to cancel, restores it. */
static int fake_l0_suspend(struct blanket_l0 *l0)
{
	struct fake_l0 *fl0 = container_of(l0, struct fake_l0, l0);

	fl0->saves++;
	if (fl0->save)
		return fl0->save;
	fake_l0_restore(fl0);
	return 0;
}

/* Shared info and the upcall are the fake's own: nothing to set again. */
static int fake_l0_reattach(struct blanket_l0 *l0)
{
	struct fake_l0 *fl0 = container_of(l0, struct fake_l0, l0);

	fl0->reattaches++;
	return fl0->reattach_err;
}

static bool fake_l0_can_reattach(struct blanket_l0 *l0)
{
	return !container_of(l0, struct fake_l0, l0)->cannot_reattach;
}

static int fake_l0_save_fn(void *data)
{
	struct fake_l0_save *s = data;

	s->err = blanket_l0_suspend(&s->fl0->l0);
	complete(&s->done);
	return 0;
}

/*
 * The machine saves itself as control.c has it do, while the test plays
 * the backends that follow its devices' close.
 */
void fake_l0_save_start(struct fake_l0 *fl0, struct fake_l0_save *s)
{
	s->fl0 = fl0;
	init_completion(&s->done);
	KUNIT_ASSERT_FALSE(fl0->test, IS_ERR(kthread_run(fake_l0_save_fn, s, "fake_l0_save")));
}
EXPORT_SYMBOL_GPL(fake_l0_save_start);

/* blanket_l0_suspend()'s return, once the machine runs again. */
int fake_l0_save_wait(struct fake_l0_save *s)
{
	wait_for_completion(&s->done);
	fake_xenstored_settle(s->fl0->xsd);
	return s->err;
}
EXPORT_SYMBOL_GPL(fake_l0_save_wait);

static const struct blanket_transport_ops fake_l0_ops = {
	.name = "fake",
	.get_param = fake_l0_get_param,
	.add_to_physmap = fake_l0_add_to_physmap,
	.event_channel_op = fake_l0_evtchn_op,
	.suspend = fake_l0_suspend,
	.reattach = fake_l0_reattach,
	.can_reattach = fake_l0_can_reattach,
	.pfn_to_gfn = fake_l0_pfn_to_gfn,
};

/* Connect the backend's end of @port: our sends on it call @kick. */
void fake_l0_bind_backend(struct fake_l0 *fl0, evtchn_port_t port,
			  fake_l0_kick_fn kick, void *data)
{
	unsigned long flags;

	spin_lock_irqsave(&fl0->lock, flags);
	if (port < FAKE_L0_PORTS && fl0->ports[port].open) {
		fl0->ports[port].kick = kick;
		fl0->ports[port].data = data;
	} else {
		KUNIT_FAIL(fl0->test, "backend bound port %u, never allocated", port);
	}
	spin_unlock_irqrestore(&fl0->lock, flags);
}
EXPORT_SYMBOL_GPL(fake_l0_bind_backend);

bool fake_l0_port_open(struct fake_l0 *fl0, evtchn_port_t port)
{
	return port < FAKE_L0_PORTS && READ_ONCE(fl0->ports[port].open);
}
EXPORT_SYMBOL_GPL(fake_l0_port_open);

static int fake_l0_map_frame(void *ctx, unsigned int index,
			     struct grant_entry_v1 **entries)
{
	struct fake_l0 *fl0 = ctx;

	if (index >= FAKE_L0_GRANT_FRAMES)
		return -EINVAL;
	fl0->frames[index] = (void *)get_zeroed_page(GFP_KERNEL);
	*entries = fl0->frames[index];
	return *entries ? 0 : -ENOMEM;
}

/*
 * The grant entry @ref as Xen checks it for the backend's domain: granted
 * to it, writable if @write. NULL (and the test fails) if not.
 */
static struct grant_entry_v1 *
fake_l0_entry(struct fake_l0 *fl0, grant_ref_t ref, bool write)
{
	unsigned int frame = ref / BLANKET_GNTTAB_PER_FRAME;
	struct grant_entry_v1 *e;
	u16 flags;

	if (frame >= FAKE_L0_GRANT_FRAMES || !fl0->frames[frame] ||
	    fl0->detached[frame]) {
		KUNIT_FAIL(fl0->test, "grant %u outside the table", ref);
		return NULL;
	}
	e = &fl0->frames[frame][ref % BLANKET_GNTTAB_PER_FRAME];
	flags = READ_ONCE(e->flags);
	if ((flags & GTF_type_mask) != GTF_permit_access ||
	    READ_ONCE(e->domid) != FAKE_L0_BACKEND_DOMID ||
	    (write && (flags & GTF_readonly)) ||
	    !pfn_valid(READ_ONCE(e->frame) - FAKE_L0_GFN_OFFSET)) {
		KUNIT_FAIL(fl0->test, "grant %u: flags %#x domid %u frame %#x",
			   ref, flags, e->domid, e->frame);
		return NULL;
	}
	return e;
}

static void *fake_l0_entry_page(struct grant_entry_v1 *e)
{
	return page_address(pfn_to_page(e->frame - FAKE_L0_GFN_OFFSET));
}

/* Map the granted page: while mapped, the frontend cannot end access. */
void *fake_l0_grant_map(struct fake_l0 *fl0, grant_ref_t ref, bool write)
{
	struct grant_entry_v1 *e = fake_l0_entry(fl0, ref, write);
	u16 busy = write ? GTF_writing | GTF_reading : GTF_reading;
	u16 old;

	if (!e)
		return NULL;
	do {
		old = READ_ONCE(e->flags);
		if ((old & GTF_type_mask) != GTF_permit_access)
			return NULL;
	} while (cmpxchg(&e->flags, old, old | busy) != old);
	return fake_l0_entry_page(e);
}
EXPORT_SYMBOL_GPL(fake_l0_grant_map);

void fake_l0_grant_unmap(struct fake_l0 *fl0, grant_ref_t ref, bool write)
{
	unsigned int frame = ref / BLANKET_GNTTAB_PER_FRAME;
	u16 busy = write ? GTF_writing | GTF_reading : GTF_reading;
	struct grant_entry_v1 *e;
	u16 old;

	if (frame >= FAKE_L0_GRANT_FRAMES || !fl0->frames[frame])
		return;
	e = &fl0->frames[frame][ref % BLANKET_GNTTAB_PER_FRAME];
	do {
		old = READ_ONCE(e->flags);
	} while (cmpxchg(&e->flags, old, old & ~busy) != old);
}
EXPORT_SYMBOL_GPL(fake_l0_grant_unmap);

/* GNTTABOP_copy between a granted page and @buf. */
int fake_l0_grant_copy(struct fake_l0 *fl0, grant_ref_t ref,
		       unsigned int offset, void *buf, unsigned int len,
		       bool to_frontend)
{
	struct grant_entry_v1 *e = fake_l0_entry(fl0, ref, to_frontend);
	void *page;

	if (!e)
		return -EPERM;
	if (offset > PAGE_SIZE || len > PAGE_SIZE - offset)
		return -EINVAL;
	page = fake_l0_entry_page(e);
	if (to_frontend)
		memcpy(page + offset, buf, len);
	else
		memcpy(buf, page + offset, len);
	return 0;
}
EXPORT_SYMBOL_GPL(fake_l0_grant_copy);

/*
 * A backend that maps a grant the moment it exists, knowing its reference
 * from earlier requests: when the frontend next grants @fail, the backend
 * first maps the grant of @map (into @*mapped), and the grant of @fail
 * then fails.
 */
void fake_l0_trap_grant(struct fake_l0 *fl0, struct page *fail,
			struct page *map, grant_ref_t *mapped)
{
	fake_l0_trap.fail = page_to_pfn(fail);
	fake_l0_trap.map = page_to_pfn(map);
	fake_l0_trap.countdown = 0;
	fake_l0_trap.mapped = mapped;
	/* Armed only once the pfns are in place for the grant path to see. */
	smp_store_release(&fake_l0_trap.fl0, fl0);
}
EXPORT_SYMBOL_GPL(fake_l0_trap_grant);

/*
 * The same for grants whose pages a test cannot name in advance: the
 * @nth grant from now fails (@nth >= 2), and the backend first maps the
 * one granted just before it. Grants must come one at a time meanwhile.
 */
void fake_l0_trap_nth_grant(struct fake_l0 *fl0, unsigned int nth,
			    grant_ref_t *mapped)
{
	KUNIT_ASSERT_GE(fl0->test, nth, 2U);
	fake_l0_trap.countdown = nth;
	fake_l0_trap.mapped = mapped;
	/* Armed only once the count is in place for the grant path to see. */
	smp_store_release(&fake_l0_trap.fl0, fl0);
}
EXPORT_SYMBOL_GPL(fake_l0_trap_nth_grant);

u64 fake_l0_grants_in_use(struct fake_l0 *fl0)
{
	struct blanket_gnttab_stats stats;

	blanket_gnttab_get_stats(&fl0->l0.gt, &stats);
	return stats.in_use;
}
EXPORT_SYMBOL_GPL(fake_l0_grants_in_use);

/* Grants the frontend ended while the backend still mapped them. */
u64 fake_l0_grants_deferred(struct fake_l0 *fl0)
{
	struct blanket_gnttab_stats stats;

	blanket_gnttab_get_stats(&fl0->l0.gt, &stats);
	return stats.deferred;
}
EXPORT_SYMBOL_GPL(fake_l0_grants_deferred);

/* L0's toolstack creating device/<type>/<id>, its backend Initialising. */
int fake_l0_add_device(struct fake_l0 *fl0, const char *type, u32 id,
		       const char *backend)
{
	char path[64], domid[8];
	int err;

	snprintf(domid, sizeof(domid), "%u", FAKE_L0_BACKEND_DOMID);
	snprintf(path, sizeof(path), "%s/state", backend);
	err = fake_xenstored_set(fl0->xsd, path, "1");
	snprintf(path, sizeof(path), "device/%s/%u/backend-id", type, id);
	err = err ?: fake_xenstored_set(fl0->xsd, path, domid);
	snprintf(path, sizeof(path), "device/%s/%u/backend", type, id);
	err = err ?: fake_xenstored_set(fl0->xsd, path, backend);
	snprintf(path, sizeof(path), "device/%s/%u/state", type, id);
	err = err ?: fake_xenstored_set(fl0->xsd, path, "1");
	fake_xenstored_settle(fl0->xsd);
	return err;
}
EXPORT_SYMBOL_GPL(fake_l0_add_device);

/* Follow device/ as blanket_xenbus does for a real L0: drivers bind. */
void fake_l0_enumerate(struct fake_l0 *fl0)
{
	KUNIT_ASSERT_EQ(fl0->test, blanket_enum_start(&fl0->l0.devices,
						      &fl0->l0.xs, NULL), 0);
	fl0->enumerating = true;
	fake_xenstored_settle(fl0->xsd);
}
EXPORT_SYMBOL_GPL(fake_l0_enumerate);

/* Remove every device: drivers let go of their grants and ports. */
void fake_l0_stop_enumerating(struct fake_l0 *fl0)
{
	if (!fl0->enumerating)
		return;
	fl0->enumerating = false;
	blanket_enum_stop(&fl0->l0.devices);
}
EXPORT_SYMBOL_GPL(fake_l0_stop_enumerating);

static void fake_l0_free(struct kunit_resource *res)
{
	struct fake_l0 *fl0 = res->data;
	unsigned int i;

	blanket_l0_save_stop(&fl0->l0);
	fake_l0_stop_enumerating(fl0);
	cmpxchg(&fake_l0_trap.fl0, fl0, NULL);
	cancel_work_sync(&fl0->upcall_work);
	/* Bound only by a restore. */
	blanket_evtchn_unbind(&fl0->l0.ev, fl0->l0.store_port);
	blanket_evtchn_destroy(&fl0->l0.ev);
	blanket_gnttab_destroy(&fl0->l0.gt);
	for (i = 0; i < FAKE_L0_GRANT_FRAMES; i++)
		free_page((unsigned long)fl0->frames[i]);
}

static int fake_l0_init(struct kunit_resource *res, void *context)
{
	struct fake_l0 *fl0 = context;

	res->data = fl0;
	return 0;
}

/*
 * A fake L0 with its xenstored, torn down with the test: devices first,
 * then the event channels and grant table, then the xenstore connection.
 */
struct fake_l0 *fake_l0_start(struct kunit *test)
{
	struct fake_l0 *fl0 = kunit_kzalloc(test, sizeof(*fl0), GFP_KERNEL);
	struct shared_info *s;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, fl0);
	s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	/* Xen starts every port masked. */
	memset(s->evtchn_mask, 0xff, sizeof(s->evtchn_mask));

	fl0->test = test;
	fl0->l0.ops = &fake_l0_ops;
	fl0->l0.shared = s;
	fl0->l0.store_pfn = FAKE_L0_STORE_PFN;
	fl0->store_pfn = FAKE_L0_STORE_PFN;
	spin_lock_init(&fl0->lock);
	for (i = 0; i < FAKE_L0_VCPUS; i++)
		spin_lock_init(&fl0->upcall_lock[i]);
	INIT_WORK(&fl0->upcall_work, fake_l0_upcall_work);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_init(&fl0->l0.ev, s, fake_l0_unmask, fl0), 0);
	fl0->l0.ev.bind_vcpu = fake_l0_bind_vcpu;
	fl0->l0.ev.vcpu_id = fake_l0_vcpu_id;
	/* Every vCPU's upcall is live, as the transports' hotplug makes it. */
	for (i = 0; i < FAKE_L0_VCPUS; i++)
		KUNIT_ASSERT_EQ(test, blanket_evtchn_add_cpu(&fl0->l0.ev, i), 0);
	KUNIT_ASSERT_EQ(test, blanket_gnttab_init(&fl0->l0.gt, FAKE_L0_GRANT_FRAMES,
						  fake_l0_map_frame, fl0), 0);
	fl0->xsd = fake_xenstored_start_on(test, &fl0->l0.xs, 2000);
	KUNIT_ASSERT_NOT_NULL(test, fl0->xsd);
	fl0->domid = FAKE_L0_DOMID;
	/* The sentinel is port 1: the new domain's after a restore. */
	blanket_l0_save_start(&fl0->l0);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, fake_l0_init,
							 fake_l0_free,
							 GFP_KERNEL, fl0));
	return fl0;
}
EXPORT_SYMBOL_GPL(fake_l0_start);
