/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How blanket reaches L0: one small table of operations, implemented by
 * the direct transport (Linux at ring 0 in an L0 HVM guest) and the
 * forwarded one (a PV Dom0 whose patched L1 Xen relays to L0). Nothing
 * above this table knows which one it runs on.
 */
#ifndef _BLANKET_TRANSPORT_H
#define _BLANKET_TRANSPORT_H

#include <linux/types.h>
#include <xen/interface/xen.h>

struct blanket_l0;

struct blanket_transport_ops {
	const char *name;
	/* xen_version(XENVER_version): major << 16 | minor. */
	int (*version)(struct blanket_l0 *l0, u32 *version);
	/* hvm_op get param, for our own domain. */
	int (*get_param)(struct blanket_l0 *l0, u32 index, u64 *value);
	/* memory_op(XENMEM_add_to_physmap): L0's page @idx of @space at @gfn. */
	int (*add_to_physmap)(struct blanket_l0 *l0, unsigned int space,
			      unsigned long idx, xen_pfn_t gfn);
	int (*grant_table_op)(struct blanket_l0 *l0, unsigned int cmd,
			      void *uop, unsigned int count);
	int (*event_channel_op)(struct blanket_l0 *l0, int cmd, void *arg);
	/*
	 * The page L0's events are marked in: L0's shared info, or (forwarded)
	 * the relay page L1 Xen marks them in. An ERR_PTR on failure.
	 */
	struct shared_info *(*map_shared)(struct blanket_l0 *l0);
	void (*unmap_shared)(struct blanket_l0 *l0);
	/*
	 * Optional: how the event channels on that page unmask a port, if
	 * not by clearing its bit there (forwarded: L1 Xen may hold ports
	 * masked at L0). Called once they are set up, before any port is.
	 */
	void (*setup_unmask)(struct blanket_l0 *l0);
	/*
	 * Start and stop delivering L0's upcall to blanket_l0_upcall(), on
	 * every online CPU and those that come online later.
	 */
	int (*bind_upcall)(struct blanket_l0 *l0);
	void (*unbind_upcall)(struct blanket_l0 *l0);
	/*
	 * The vCPU id L0 (direct) or L1 Xen (forwarded) knows @cpu by;
	 * -ENOENT if events cannot be delivered to it (fall back to CPU 0).
	 */
	int (*vcpu_id)(struct blanket_l0 *l0, unsigned int cpu, u32 *vcpu);
	/*
	 * Optional: have L0 save the machine now (SCHEDOP_shutdown, reason
	 * suspend), and once it runs again point L0's shared info and upcall
	 * at us again. 0: restored, in a new domain; 1: the same domain (L0
	 * cancelled the save, or refused it); an error: L0 cannot be reached
	 * as before.
	 */
	int (*suspend)(struct blanket_l0 *l0);
	/* Optional, beside suspend: whether this L0 can be asked to save. */
	bool (*can_suspend)(struct blanket_l0 *l0);
	/*
	 * Optional: L0 restored the machine in a new domain without asking
	 * it (save.c found out): point L0's shared info and upcall at us
	 * again, as suspend does after its call. 0 once done; an error if
	 * not, the machine then cut off from L0. Without it such a restore
	 * is not looked for.
	 */
	int (*reattach)(struct blanket_l0 *l0);
	/* Optional, beside reattach: whether it can be done here. */
	bool (*can_reattach)(struct blanket_l0 *l0);
	/* The frame number L0 knows one of our pages by. */
	xen_pfn_t (*pfn_to_gfn)(unsigned long pfn);
};

extern const struct blanket_transport_ops blanket_direct_ops;
int blanket_direct_init(struct device *dev);
extern const struct blanket_transport_ops blanket_forwarded_ops;
int blanket_forwarded_init(struct device *dev);

#endif /* _BLANKET_TRANSPORT_H */
