/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One xenstore connection: request/reply matching, watches and their
 * delivery, over a blanket_xs_ring. It makes no hypercall: the owner
 * passes the ring page, a way to kick the peer, and calls
 * blanket_xs_event() when the peer kicks us.
 */
#ifndef _BLANKET_XS_H
#define _BLANKET_XS_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <blanket/xenstore.h>
#include "xs_ring.h"

struct blanket_xs_stats {
	u64 requests;
	u64 errors;		/* XS_ERROR replies */
	u64 timeouts;
	u64 unmatched;		/* replies nobody waited for */
	u64 watch_events;
	u64 watch_dropped;	/* events for a token we do not hold */
	u64 watch_overflow;	/* events past a full queue: rescans instead */
};

/* Watch events queued for their callbacks, at most. */
#define BLANKET_XS_EVENTS_MAX 256

struct blanket_xs {
	struct blanket_xs_ring ring;
	void (*notify)(void *ctx);
	void *notify_ctx;
	struct device *dev;		/* for messages */
	unsigned long timeout;		/* jiffies, per request */

	struct mutex write_lock;	/* one request's bytes at a time */
	wait_queue_head_t ring_wq;	/* writers waiting for room */

	spinlock_t lock;		/* everything below, up to the reader */
	struct list_head pending;
	u32 next_req_id;
	bool broken;
	/*
	 * L0 is about to save our machine: requests outside a transaction
	 * wait on suspend_wq until it has restored it, except those of
	 * resume_task, which sets our watches again.
	 */
	bool suspended;
	unsigned int transactions;	/* open, which a save waits for */
	/* Restores L0 made unasked: a transaction from before one is gone. */
	unsigned int generation;
	wait_queue_head_t suspend_wq;
	struct task_struct *resume_task;
	struct blanket_xs_stats stats;

	/* The reader: only ever touched from read_work. */
	struct work_struct read_work;
	struct xsd_sockmsg in_hdr;
	char *in_body;
	u32 in_have;

	struct mutex watch_lock;	/* watches, next_watch_id */
	struct list_head watches;
	u32 next_watch_id;
	struct list_head events;	/* under lock */
	unsigned int nr_events;		/* under lock; only the reader adds */
	struct list_head rescans;	/* watches due a rescan, under lock */
	char *rescan_path;		/* the path a rescan's callback is given */
	struct work_struct watch_work;
	/*
	 * The watch whose callback runs (set under lock as it leaves the
	 * queue), and who runs it. Unwatch waits on callback_wq for its own
	 * watch's callback only: a callback may wait for a device lock that
	 * the unwatching thread holds.
	 */
	struct blanket_xs_watch *running;
	wait_queue_head_t callback_wq;
	struct task_struct *callback_task;

	struct workqueue_struct *wq;
};

int blanket_xs_init(struct blanket_xs *xs, struct xenstore_domain_interface *intf,
		    void (*notify)(void *ctx), void *notify_ctx,
		    struct device *dev, unsigned int timeout_ms);
void blanket_xs_destroy(struct blanket_xs *xs);
void blanket_xs_event(struct blanket_xs *xs);
void blanket_xs_fail(struct blanket_xs *xs, const char *why, int err);
int blanket_xs_suspend(struct blanket_xs *xs);
void blanket_xs_lose(struct blanket_xs *xs);
void blanket_xs_reset(struct blanket_xs *xs);
int blanket_xs_resume(struct blanket_xs *xs, bool restored);
bool blanket_xs_broken(struct blanket_xs *xs);
void blanket_xs_get_stats(struct blanket_xs *xs, struct blanket_xs_stats *stats);

#endif /* _BLANKET_XS_H */
