/* SPDX-License-Identifier: GPL-2.0 */
/*
 * L0 grant tables, v1: a free list of grant references over frames that
 * are added on demand, entry updates, and ending access without ever
 * freeing a page L0 still maps. No hypercall: mapping a further frame is
 * the owner's callback.
 */
#ifndef _BLANKET_GNTTAB_H
#define _BLANKET_GNTTAB_H

#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <xen/interface/grant_table.h>

#define BLANKET_GNTTAB_PER_FRAME (PAGE_SIZE / sizeof(struct grant_entry_v1))
/* Retries of a deferred end-access before its page is reported leaked. */
#define BLANKET_GNTTAB_RETRIES 10

struct blanket_gnttab_stats {
	u64 in_use;		/* references handed out */
	u64 frames;
	u64 deferred;		/* ends waiting for L0 to unmap */
	u64 leaked;		/* of those, retried BLANKET_GNTTAB_RETRIES times */
};

typedef int (*blanket_gnttab_map_fn)(void *ctx, unsigned int index,
				     struct grant_entry_v1 **entries);

struct blanket_gnttab {
	struct grant_entry_v1 **frames;	/* our mappings of L0's frames */
	unsigned int nr_frames;
	unsigned int max_frames;
	blanket_gnttab_map_fn map_frame;	/* adds frame @index */
	void *ctx;

	struct mutex grow_lock;		/* one map_frame at a time */
	/* The free list and the counters; irq-safe: frontends end grants in irq context. */
	spinlock_t lock;
	grant_ref_t *next;		/* free list links, by reference */
	grant_ref_t free_head;
	unsigned int nr_free;

	struct list_head deferred;	/* under lock */
	struct delayed_work deferred_work;
	unsigned int retry_ms;
	struct blanket_gnttab_stats stats;
};

int blanket_gnttab_init(struct blanket_gnttab *gt, unsigned int max_frames,
			blanket_gnttab_map_fn map_frame, void *ctx);
void blanket_gnttab_destroy(struct blanket_gnttab *gt);
int blanket_gnttab_grow_to(struct blanket_gnttab *gt, unsigned int nr);
int blanket_gnttab_alloc_refs(struct blanket_gnttab *gt, unsigned int n,
			      grant_ref_t *refs);
void blanket_gnttab_free_ref(struct blanket_gnttab *gt, grant_ref_t ref);
int blanket_gnttab_grant(struct blanket_gnttab *gt, grant_ref_t ref,
			 domid_t domid, unsigned long gfn, bool readonly);
int blanket_gnttab_end(struct blanket_gnttab *gt, grant_ref_t ref);
void blanket_gnttab_end_and_free(struct blanket_gnttab *gt, grant_ref_t ref,
				 struct page *page);
void blanket_gnttab_get_stats(struct blanket_gnttab *gt,
			      struct blanket_gnttab_stats *stats);

#endif /* _BLANKET_GNTTAB_H */
