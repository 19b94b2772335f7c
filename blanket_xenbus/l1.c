// SPDX-License-Identifier: GPL-2.0
/*
 * Marshalling for the forwarded transport. A PV Dom0 reaches L0 only
 * through its patched L1 Xen's blanket_l1_op, whose sub-ops cover exactly
 * what blanket needs; everything else is refused here with -EOPNOTSUPP,
 * before it reaches L1 Xen.
 */

#include <linux/build_bug.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/limits.h>
#include <linux/string.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/hvm/params.h>
#include <xen/interface/memory.h>
#include <asm/page.h>

#include <blanket/test_export.h>
#include "l1.h"

/*
 * Version 2 relays every port to vCPU 0; version 3 binds ports to vCPUs;
 * version 4 shows the ports L1 Xen holds; version 5 has L0 save the
 * machine; version 6 sets up again after a save L0 did not ask for.
 */
#define BLANKET_L1_ABI_OLDEST		2
#define BLANKET_L1_ABI_BIND_VCPU	3
#define BLANKET_L1_ABI_HELD		4
#define BLANKET_L1_ABI_SUSPEND		5
#define BLANKET_L1_ABI_REATTACH		6

/*
 * Ask L1 Xen whether it forwards to L0, and agree on an ABI version. On
 * failure @why says what to tell the administrator.
 */
int blanket_l1_probe(struct blanket_l1 *l1, struct blanket_l1_query *q,
		     const char **why)
{
	long ret;

	memset(q, 0, sizeof(*q));
	q->abi_version = BLANKET_L1_ABI_VERSION;
	ret = l1->call(l1->ctx, BLANKET_L1_QUERY, q);
	if (ret == -EPERM) {
		*why = "L1 Xen lets only the hardware domain reach L0";
		return -EPERM;
	}
	/* An unpatched Xen has no such hypercall; anything else is as bad. */
	if (ret) {
		*why = "L1 Xen does not answer blanket's hypercall: it lacks the patch in xen/";
		return -ENODEV;
	}
	/* Above ours, L1 Xen did not take the version we passed. */
	if (q->abi_version < BLANKET_L1_ABI_OLDEST ||
	    q->abi_version > BLANKET_L1_ABI_VERSION) {
		*why = "L1 Xen speaks another blanket ABI version";
		return -EPROTO;
	}
	if (!(q->features & BLANKET_L1_F_L0)) {
		*why = "L1 Xen cannot reach L0 (not built with CONFIG_XEN_GUEST?)";
		return -ENODEV;
	}
	l1->abi_version = q->abi_version;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_probe);

/* Does L1 Xen relay ports to the vCPUs they are bound to? */
bool blanket_l1_per_vcpu(const struct blanket_l1 *l1)
{
	return l1->abi_version >= BLANKET_L1_ABI_BIND_VCPU;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_per_vcpu);

/*
 * The vCPU id L1 Xen relays to for our vCPU @dom0_vcpu: only vCPU 0 before
 * version 3. Whether the relay page has a vcpu_info for it is the event
 * channels' to check (blanket_evtchn_add_cpu).
 */
int blanket_l1_vcpu_id(const struct blanket_l1 *l1, u32 dom0_vcpu, u32 *vcpu)
{
	if (dom0_vcpu && !blanket_l1_per_vcpu(l1))
		return -ENOENT;
	*vcpu = dom0_vcpu;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_vcpu_id);

static int blanket_l1_call(const struct blanket_l1 *l1, unsigned int op,
			   void *arg)
{
	long ret = l1->call(l1->ctx, op, arg);

	/* Xen returns a negative errno or 0 here; anything else is broken. */
	if (ret > 0 || ret < -MAX_ERRNO)
		return -EIO;
	return ret;
}

static int blanket_l1_query(const struct blanket_l1 *l1,
			    struct blanket_l1_query *q)
{
	memset(q, 0, sizeof(*q));
	return blanket_l1_call(l1, BLANKET_L1_QUERY, q);
}

int blanket_l1_version(const struct blanket_l1 *l1, u32 *version)
{
	struct blanket_l1_query q;
	int err = blanket_l1_query(l1, &q);

	if (!err)
		*version = q.l0_version;
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_version);

/* Only L0's xenstore parameters: the rest of L1's HVM params is L1's own. */
int blanket_l1_get_param(const struct blanket_l1 *l1, u32 index, u64 *value)
{
	struct blanket_l1_xenstore xs = {};
	int err;

	if (index != HVM_PARAM_STORE_PFN && index != HVM_PARAM_STORE_EVTCHN)
		return -EOPNOTSUPP;
	err = blanket_l1_call(l1, BLANKET_L1_XENSTORE, &xs);
	if (err)
		return err;
	*value = index == HVM_PARAM_STORE_PFN ? xs.mfn : xs.port;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_get_param);

/* Only grant frames; L1 Xen checks that @gfn lies in the platform BAR. */
int blanket_l1_add_to_physmap(const struct blanket_l1 *l1, unsigned int space,
			      unsigned long idx, xen_pfn_t gfn)
{
	struct blanket_l1_gnttab_map map = { .mfn = gfn, .idx = idx };

	if (space != XENMAPSPACE_grant_table)
		return -EOPNOTSUPP;
	if (idx > U32_MAX)
		return -EINVAL;
	return blanket_l1_call(l1, BLANKET_L1_GNTTAB_MAP, &map);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_add_to_physmap);

/* Only GNTTABOP_query_size on ourselves, which the query answers. */
int blanket_l1_grant_table_op(const struct blanket_l1 *l1, unsigned int cmd,
			      void *uop, unsigned int count)
{
	struct gnttab_query_size *size = uop;
	struct blanket_l1_query q;
	int err;

	if (cmd != GNTTABOP_query_size || count != 1)
		return -EOPNOTSUPP;
	if (size->dom != DOMID_SELF)
		return -EINVAL;
	err = blanket_l1_query(l1, &q);
	if (err)
		return err;
	size->nr_frames = q.gnttab_frames;
	size->max_nr_frames = q.gnttab_max_frames;
	size->status = GNTST_okay;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_grant_table_op);

static int blanket_l1_alloc_unbound(const struct blanket_l1 *l1,
				    struct evtchn_alloc_unbound *op)
{
	struct blanket_l1_evtchn e = { .remote_dom = op->remote_dom };
	int err;

	if (op->dom != DOMID_SELF)
		return -EINVAL;
	err = blanket_l1_call(l1, BLANKET_L1_EVTCHN_ALLOC_UNBOUND, &e);
	if (!err)
		op->port = e.port;
	return err;
}

static int blanket_l1_status(const struct blanket_l1 *l1,
			     struct evtchn_status *op)
{
	struct blanket_l1_evtchn e = { .port = op->port };
	int err;

	if (op->dom != DOMID_SELF)
		return -EINVAL;
	err = blanket_l1_call(l1, BLANKET_L1_EVTCHN_STATUS, &e);
	if (err)
		return err;
	op->status = e.status;
	op->vcpu = 0;
	memset(&op->u, 0, sizeof(op->u));
	if (e.status == EVTCHNSTAT_unbound) {
		op->u.unbound.dom = e.remote_dom;
	} else if (e.status == EVTCHNSTAT_interdomain) {
		op->u.interdomain.dom = e.remote_dom;
		op->u.interdomain.port = e.remote_port;
	}
	return 0;
}

/*
 * L1 Xen keeps the port's vCPU; before version 3 every port is relayed to
 * vCPU 0, which binding to it then leaves as it is.
 */
static int blanket_l1_bind_vcpu(const struct blanket_l1 *l1,
				struct evtchn_bind_vcpu *op)
{
	struct blanket_l1_evtchn_bind_vcpu bind = {
		.port = op->port, .vcpu = op->vcpu,
	};
	u32 vcpu;
	int err;

	err = blanket_l1_vcpu_id(l1, op->vcpu, &vcpu);
	if (err)
		return err;
	if (!blanket_l1_per_vcpu(l1))
		return 0;
	return blanket_l1_call(l1, BLANKET_L1_EVTCHN_BIND_VCPU, &bind);
}

/* The ops that name only a port; unmask acts on the relay page's bits. */
static int blanket_l1_port_op(const struct blanket_l1 *l1, unsigned int op,
			      evtchn_port_t port)
{
	struct blanket_l1_evtchn e = { .port = port };

	return blanket_l1_call(l1, op, &e);
}

int blanket_l1_event_channel_op(const struct blanket_l1 *l1, int cmd,
				void *arg)
{
	switch (cmd) {
	case EVTCHNOP_alloc_unbound:
		return blanket_l1_alloc_unbound(l1, arg);
	case EVTCHNOP_status:
		return blanket_l1_status(l1, arg);
	case EVTCHNOP_bind_vcpu:
		return blanket_l1_bind_vcpu(l1, arg);
	case EVTCHNOP_send:
		return blanket_l1_port_op(l1, BLANKET_L1_EVTCHN_SEND,
					  ((struct evtchn_send *)arg)->port);
	case EVTCHNOP_unmask:
		return blanket_l1_port_op(l1, BLANKET_L1_EVTCHN_UNMASK,
					  ((struct evtchn_unmask *)arg)->port);
	case EVTCHNOP_close:
		return blanket_l1_port_op(l1, BLANKET_L1_EVTCHN_CLOSE,
					  ((struct evtchn_close *)arg)->port);
	default:
		return -EOPNOTSUPP;
	}
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_event_channel_op);

/* Can L1 Xen have L0 save the machine? */
bool blanket_l1_can_suspend(const struct blanket_l1 *l1)
{
	return l1->abi_version >= BLANKET_L1_ABI_SUSPEND;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_can_suspend);

/*
 * SUSPEND or REATTACH (@op, from ABI @version on): 0, 1 or an error, as
 * the ABI has them; -EPROTO for an answer outside it, after which where
 * the machine runs is not known.
 */
static int blanket_l1_save_op(const struct blanket_l1 *l1, unsigned int op,
			      u32 version)
{
	long ret;

	if (l1->abi_version < version)
		return -EOPNOTSUPP;
	ret = l1->call(l1->ctx, op, NULL);
	if (ret > 1 || ret < -MAX_ERRNO)
		return -EPROTO;
	return ret;
}

/*
 * Have L0 save the machine: 0 once it runs again in a new domain of L0,
 * 1 if it runs on in the same one (L0 cancelled the save). An error if
 * nothing happened, L1 Xen's or L0's refusal.
 */
int blanket_l1_suspend(const struct blanket_l1 *l1)
{
	return blanket_l1_save_op(l1, BLANKET_L1_SUSPEND, BLANKET_L1_ABI_SUSPEND);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_suspend);

/* Can L1 Xen set up again after a save L0 made without asking? */
bool blanket_l1_can_reattach(const struct blanket_l1 *l1)
{
	return l1->abi_version >= BLANKET_L1_ABI_REATTACH;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_can_reattach);

/*
 * L0 restored the machine without asking it: have L1 Xen set up its own
 * L0 state again, which it does only if L0 lost it. 0 once done (our
 * ports are forgotten on both sides, as after SUSPEND); -ESTALE if L0
 * still had it, nothing changed; otherwise L1 Xen's error.
 */
int blanket_l1_reattach(const struct blanket_l1 *l1)
{
	int ret = blanket_l1_save_op(l1, BLANKET_L1_REATTACH,
				     BLANKET_L1_ABI_REATTACH);

	return ret == 1 ? -ESTALE : ret;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_reattach);

/* Register the relay page by its machine frame, or none. */
int blanket_l1_set_relay(const struct blanket_l1 *l1, u64 mfn)
{
	struct blanket_l1_relay relay = { .mfn = mfn };

	return blanket_l1_call(l1, BLANKET_L1_RELAY, &relay);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_set_relay);

/*
 * Unregister the relay page and free it. If L1 Xen refused to let go of
 * the page, it may still write to it: the page is leaked rather than
 * handed back to the allocator. Returns L1 Xen's answer.
 */
int blanket_l1_put_relay(const struct blanket_l1 *l1, struct shared_info *relay)
{
	int err = blanket_l1_set_relay(l1, BLANKET_L1_RELAY_NONE);

	if (!err)
		free_page((unsigned long)relay);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_put_relay);

/*
 * A fresh relay page, before L1 Xen sees it: nothing pending, every port
 * masked until its handler is bound, as in a new shared info page.
 */
void blanket_l1_relay_init(struct shared_info *relay)
{
	/* The held bitmap fills the page's end, past the shared info. */
	BUILD_BUG_ON(sizeof(*relay) > BLANKET_L1_RELAY_HELD_OFFSET);
	BUILD_BUG_ON(BLANKET_L1_RELAY_HELD_OFFSET +
		     sizeof(relay->evtchn_pending) != PAGE_SIZE);
	memset(relay, 0, PAGE_SIZE);
	memset(relay->evtchn_mask, 0xff, sizeof(relay->evtchn_mask));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_relay_init);

/*
 * How @ev unmasks the ports of @relay: from version 4 in place, asking
 * L1 Xen only for a port that is pending or that it holds masked at L0
 * (the held bitmap); before it, never in place, since L1 Xen may hold any
 * port Dom0 had masked.
 */
void blanket_l1_setup_unmask(const struct blanket_l1 *l1,
			     struct blanket_evtchn *ev,
			     struct shared_info *relay)
{
	if (l1->abi_version < BLANKET_L1_ABI_HELD) {
		ev->unmask_by_owner = true;
		return;
	}
	ev->held = (void *)relay + BLANKET_L1_RELAY_HELD_OFFSET;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_l1_setup_unmask);
