/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One connection to L0: its transport, shared info, event channels,
 * grant table, xenstore and the devices enumerated from it.
 */
#ifndef _BLANKET_L0_H
#define _BLANKET_L0_H

#include <linux/atomic.h>
#include <linux/pci.h>

#include "evtchn.h"
#include "gnttab.h"
#include "enum.h"
#include "transport.h"
#include "xs.h"

/* Hypercalls counted for debugfs, by what they are for. */
enum blanket_hcall_kind {
	BLANKET_HC_VERSION,
	BLANKET_HC_PARAM,
	BLANKET_HC_PHYSMAP,
	BLANKET_HC_GNTTAB,
	BLANKET_HC_EVTCHN_SEND,
	BLANKET_HC_EVTCHN_OTHER,
	BLANKET_HC_NR,
};

struct blanket_l0 {
	const struct blanket_transport_ops *ops;
	struct pci_dev *pdev;
	struct device *dev;

	phys_addr_t mmio;		/* the platform device's BAR */
	resource_size_t mmio_len;
	struct shared_info *shared;
	int upcall_irq;			/* direct: the INTx line, if no vectors */
	struct irq_domain *upcall_domain;	/* direct: the CPUs' vectors' */

	struct blanket_evtchn ev;
	struct blanket_gnttab gt;

	struct xenstore_domain_interface *store;
	u64 store_pfn;
	evtchn_port_t store_port;
	struct blanket_xs xs;
	struct blanket_enum devices;
	struct blanket_xs_watch control_watch;	/* control/shutdown */

	/* L0's saves (save.c) */
	struct mutex save_lock;		/* one save or restore at a time */
	struct delayed_work check_work;	/* looks for an unasked restore */
	evtchn_port_t sentinel;		/* 0: not looked for */
	domid_t sentinel_dom;		/* the domain its status names */
	/* The devices let go of an unasked restore's old ports: not ours to close. */
	bool lost;

	atomic64_t hcalls[BLANKET_HC_NR];
	struct dentry *debugfs;
};

/* Every event channel operation is counted, sends apart. */
static inline int blanket_l0_evtchn_op(struct blanket_l0 *l0, int cmd, void *arg)
{
	atomic64_inc(&l0->hcalls[cmd == EVTCHNOP_send ? BLANKET_HC_EVTCHN_SEND :
				 BLANKET_HC_EVTCHN_OTHER]);
	return l0->ops->event_channel_op(l0, cmd, arg);
}

static inline int blanket_l0_send(struct blanket_l0 *l0, evtchn_port_t port)
{
	struct evtchn_send send = { .port = port };

	return blanket_l0_evtchn_op(l0, EVTCHNOP_send, &send);
}

/* Can L0 be asked to save the machine, and can we ask it? */
static inline bool blanket_l0_can_suspend(struct blanket_l0 *l0)
{
	return l0->ops->suspend &&
	       (!l0->ops->can_suspend || l0->ops->can_suspend(l0));
}

/* Can we set up again by ourselves after a restore L0 did not ask for? */
static inline bool blanket_l0_can_reattach(struct blanket_l0 *l0)
{
	return l0->ops->reattach &&
	       (!l0->ops->can_reattach || l0->ops->can_reattach(l0));
}

int blanket_l0_start(struct blanket_l0 *l0);
void blanket_l0_stop(struct blanket_l0 *l0);
int blanket_l0_physmap(struct blanket_l0 *l0, unsigned int space,
		       unsigned long idx, xen_pfn_t gfn);
int blanket_l0_store_params(struct blanket_l0 *l0, u64 *pfn,
			    evtchn_port_t *port);
int blanket_l0_bind_store(struct blanket_l0 *l0);
int blanket_l0_suspend(struct blanket_l0 *l0);
bool blanket_l0_restore_pending(struct blanket_l0 *l0);
void blanket_l0_save_start(struct blanket_l0 *l0);
void blanket_l0_save_stop(struct blanket_l0 *l0);
int blanket_control_start(struct blanket_l0 *l0);
void blanket_control_stop(struct blanket_l0 *l0);
void blanket_l0_upcall(struct blanket_l0 *l0);
xen_pfn_t blanket_l0_bar_gfn(struct blanket_l0 *l0, unsigned int page);
int blanket_platform_init(void);
void blanket_platform_exit(void);

#endif /* _BLANKET_L0_H */
