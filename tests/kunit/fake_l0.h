/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake L0 for KUnit: an L0 connection whose transport is in memory.
 * Grant frames are pages the fake backend reads the way Xen would, event
 * channel sends reach a backend callback, and the backend's events are
 * raised in a fake shared info page and delivered as an upcall. Fake
 * backends (netback, blkback) sit on top of it.
 */
#ifndef _BLANKET_FAKE_L0_H
#define _BLANKET_FAKE_L0_H

#include <kunit/test.h>

#include "blanket_xenbus/l0.h"
#include "fake_xenstored.h"

#define FAKE_L0_GFN_OFFSET	0x100000UL	/* gfn = pfn + offset */
#define FAKE_L0_GRANT_FRAMES	8
#define FAKE_L0_PORTS		64
#define FAKE_L0_BACKEND_DOMID	5
#define FAKE_L0_VCPUS		2	/* CPU n is vCPU n */
#define FAKE_L0_STORE_PFN	0x1234UL
#define FAKE_L0_DOMID		7	/* ours, until a restore: then 8, 9, ... */
/* The port a restore gives xenstore: the first, as a new domain's would be. */
#define FAKE_L0_RESTORE_STORE_PORT 1
/* Ports 1 to this are the new domain's own after a restore (xenstore's, the device model's). */
#define FAKE_L0_RESTORE_PORTS	8

struct fake_l0;

/* The backend's end of a port; called in any context, must not sleep. */
typedef void (*fake_l0_kick_fn)(void *data);

struct fake_l0_port {
	bool open;
	domid_t remote;
	fake_l0_kick_fn kick;
	void *data;
	unsigned int sends;
	u32 vcpu;		/* EVTCHNOP_bind_vcpu's */
};

struct fake_l0 {
	struct kunit *test;
	struct blanket_l0 l0;
	struct fake_xenstored *xsd;
	struct grant_entry_v1 *frames[FAKE_L0_GRANT_FRAMES];

	spinlock_t lock;		/* ports */
	struct fake_l0_port ports[FAKE_L0_PORTS];
	/* One upcall at a time per vCPU, irqs off. */
	spinlock_t upcall_lock[FAKE_L0_VCPUS];
	struct work_struct upcall_work;
	bool enumerating;

	/*
	 * The machine's save (the transport's suspend): what it returns (0
	 * restored, 1 cancelled), and what L0's toolstack does in the new
	 * domain of a restore, once L0 has none of our ports or grant frames
	 * and xenstored has none of our watches.
	 */
	int save;
	domid_t domid;
	void (*toolstack)(struct fake_l0 *fl0, void *ctx);
	void *toolstack_ctx;
	u64 store_pfn, store_port;	/* HVM_PARAM_STORE_PFN, _EVTCHN */
	int physmap_err;		/* what adding a grant frame fails with */
	/* A restore's frames that are not ours until added again. */
	bool detached[FAKE_L0_GRANT_FRAMES];
	unsigned int saves;
	int reattach_err;		/* what setting shared info again fails with */
	bool cannot_reattach;		/* as an L1 Xen before ABI version 6 */
	int status_err;			/* what EVTCHNOP_status fails with */
	unsigned int reattaches;
};

struct fake_l0 *fake_l0_start(struct kunit *test);
void fake_l0_enumerate(struct fake_l0 *fl0);

/* L0's toolstack asking the machine to save itself, on a thread of its own. */
struct fake_l0_save {
	struct fake_l0 *fl0;
	struct completion done;
	int err;			/* blanket_l0_suspend()'s */
};

void fake_l0_save_start(struct fake_l0 *fl0, struct fake_l0_save *s);
void fake_l0_restore(struct fake_l0 *fl0);
int fake_l0_save_wait(struct fake_l0_save *s);
void fake_l0_stop_enumerating(struct fake_l0 *fl0);
int fake_l0_add_device(struct fake_l0 *fl0, const char *type, u32 id,
		       const char *backend);

void fake_l0_bind_backend(struct fake_l0 *fl0, evtchn_port_t port,
			  fake_l0_kick_fn kick, void *data);
bool fake_l0_port_open(struct fake_l0 *fl0, evtchn_port_t port);
void fake_l0_raise(struct fake_l0 *fl0, evtchn_port_t port);

/* Grant operations as the backend's domain performs them. */
void *fake_l0_grant_map(struct fake_l0 *fl0, grant_ref_t ref, bool write);
void fake_l0_grant_unmap(struct fake_l0 *fl0, grant_ref_t ref, bool write);
int fake_l0_grant_copy(struct fake_l0 *fl0, grant_ref_t ref,
		       unsigned int offset, void *buf, unsigned int len,
		       bool to_frontend);
void fake_l0_trap_grant(struct fake_l0 *fl0, struct page *fail,
			struct page *map, grant_ref_t *mapped);
void fake_l0_trap_nth_grant(struct fake_l0 *fl0, unsigned int nth,
			    grant_ref_t *mapped);
u64 fake_l0_grants_in_use(struct fake_l0 *fl0);
u64 fake_l0_grants_deferred(struct fake_l0 *fl0);

/* Xen's 2-level event ABI on a shared info page. */
bool fake_evtchn_raise(struct shared_info *s, evtchn_port_t port, u32 vcpu);
bool fake_evtchn_unmask(struct shared_info *s, evtchn_port_t port, u32 vcpu);
void fake_evtchn_upcall(struct blanket_evtchn *ev, u32 vcpu);

#endif /* _BLANKET_FAKE_L0_H */
