// SPDX-License-Identifier: GPL-2.0
/*
 * L0 grant tables, v1 entries.
 *
 * A reference is free only once its entry is provably unused: ending
 * access atomically clears the entry if and only if L0 has no mapping of
 * it. If L0 still maps the page, neither reference nor page is released;
 * they wait on a deferred list that is retried, and what stays there too
 * long is reported as leaked rather than handed back to be reused.
 */

#include <linux/mm.h>
#include <linux/slab.h>

#include <blanket/test_export.h>
#include "gnttab.h"

#define BLANKET_GREF_END ((grant_ref_t)~0U)
/* Flag flips by L0 we sit through in one end-access before giving up. */
#define BLANKET_GNTTAB_END_TRIES 64
#define BLANKET_GNTTAB_RETRY_MS 100

struct blanket_gnttab_deferred {
	struct list_head list;
	grant_ref_t ref;
	struct page *page;
	unsigned int tries;
};

static bool blanket_gnttab_ref_valid(struct blanket_gnttab *gt,
				     grant_ref_t ref)
{
	return ref >= GNTTAB_NR_RESERVED_ENTRIES &&
	       ref < READ_ONCE(gt->nr_frames) * BLANKET_GNTTAB_PER_FRAME;
}

static struct grant_entry_v1 *blanket_gnttab_entry(struct blanket_gnttab *gt,
						   grant_ref_t ref)
{
	return &gt->frames[ref / BLANKET_GNTTAB_PER_FRAME]
			  [ref % BLANKET_GNTTAB_PER_FRAME];
}

/* Map one more frame and put its references on the free list. */
static int blanket_gnttab_grow(struct blanket_gnttab *gt)
{
	unsigned long flags;
	unsigned int index = gt->nr_frames;
	struct grant_entry_v1 *entries;
	grant_ref_t ref, first, last;
	int err;

	lockdep_assert_held(&gt->grow_lock);
	if (index >= gt->max_frames)
		return -ENOSPC;
	err = gt->map_frame(gt->ctx, index, &entries);
	if (err)
		return err;

	first = max_t(grant_ref_t, index * BLANKET_GNTTAB_PER_FRAME,
		      GNTTAB_NR_RESERVED_ENTRIES);
	last = (index + 1) * BLANKET_GNTTAB_PER_FRAME - 1;
	spin_lock_irqsave(&gt->lock, flags);
	gt->frames[index] = entries;
	for (ref = last; ref >= first; ref--) {
		gt->next[ref] = gt->free_head;
		gt->free_head = ref;
	}
	gt->nr_free += last - first + 1;
	gt->stats.frames++;
	/* Published last: a reference is valid only once its frame is. */
	WRITE_ONCE(gt->nr_frames, index + 1);
	spin_unlock_irqrestore(&gt->lock, flags);
	return 0;
}

/*
 * Allocate @n references, all or none, growing the table up to L0's
 * maximum if need be. May sleep.
 */
int blanket_gnttab_alloc_refs(struct blanket_gnttab *gt, unsigned int n,
			      grant_ref_t *refs)
{
	unsigned long flags;
	unsigned int i;
	bool enough;
	int err;

	for (;;) {
		spin_lock_irqsave(&gt->lock, flags);
		if (gt->nr_free >= n) {
			for (i = 0; i < n; i++) {
				refs[i] = gt->free_head;
				gt->free_head = gt->next[refs[i]];
			}
			gt->nr_free -= n;
			gt->stats.in_use += n;
			spin_unlock_irqrestore(&gt->lock, flags);
			return 0;
		}
		spin_unlock_irqrestore(&gt->lock, flags);

		/* Someone may have grown the table while we waited. */
		mutex_lock(&gt->grow_lock);
		spin_lock_irqsave(&gt->lock, flags);
		enough = gt->nr_free >= n;
		spin_unlock_irqrestore(&gt->lock, flags);
		err = enough ? 0 : blanket_gnttab_grow(gt);
		mutex_unlock(&gt->grow_lock);
		if (err)
			return err;
	}
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_alloc_refs);

/*
 * Map frames up to @nr now, rather than on first use: the frames L0
 * already has for us at connect time, so that a broken mapping shows at
 * once and not in a driver's first grant.
 */
int blanket_gnttab_grow_to(struct blanket_gnttab *gt, unsigned int nr)
{
	int err = 0;

	mutex_lock(&gt->grow_lock);
	while (!err && gt->nr_frames < min(nr, gt->max_frames))
		err = blanket_gnttab_grow(gt);
	mutex_unlock(&gt->grow_lock);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_grow_to);

/* Return a reference whose entry is known to be unused. */
void blanket_gnttab_free_ref(struct blanket_gnttab *gt, grant_ref_t ref)
{
	unsigned long flags;

	if (WARN_ON_ONCE(!blanket_gnttab_ref_valid(gt, ref)))
		return;
	spin_lock_irqsave(&gt->lock, flags);
	gt->next[ref] = gt->free_head;
	gt->free_head = ref;
	gt->nr_free++;
	gt->stats.in_use--;
	spin_unlock_irqrestore(&gt->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_free_ref);

/* Let @domid map frame @gfn (an L0 guest frame) through @ref. */
int blanket_gnttab_grant(struct blanket_gnttab *gt, grant_ref_t ref,
			 domid_t domid, unsigned long gfn, bool readonly)
{
	struct grant_entry_v1 *e;

	if (!blanket_gnttab_ref_valid(gt, ref))
		return -EINVAL;
	/* A v1 entry holds 32 bits of frame number. */
	if (gfn > U32_MAX)
		return -EOVERFLOW;
	e = blanket_gnttab_entry(gt, ref);
	e->domid = domid;
	e->frame = gfn;
	/* L0 must see domid and frame before the flags that validate them. */
	wmb();
	WRITE_ONCE(e->flags, GTF_permit_access | (readonly ? GTF_readonly : 0));
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_grant);

/*
 * End L0's access through @ref: 0 once the entry is cleared, -EBUSY while
 * L0 has the page mapped. The reference stays the caller's either way.
 */
int blanket_gnttab_end(struct blanket_gnttab *gt, grant_ref_t ref)
{
	struct grant_entry_v1 *e;
	u16 flags, old;
	int tries;

	if (!blanket_gnttab_ref_valid(gt, ref))
		return -EINVAL;
	e = blanket_gnttab_entry(gt, ref);
	flags = READ_ONCE(e->flags);
	for (tries = 0; tries < BLANKET_GNTTAB_END_TRIES; tries++) {
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
		old = cmpxchg(&e->flags, flags, 0);
		if (old == flags)
			return 0;
		flags = old;
	}
	return -EBUSY;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_end);

static void blanket_gnttab_release(struct blanket_gnttab *gt, grant_ref_t ref,
				   struct page *page)
{
	blanket_gnttab_free_ref(gt, ref);
	if (page)
		put_page(page);
}

/*
 * End access and free @ref, and drop a reference on @page if given. If L0
 * still maps it, both wait until it lets go. Any context.
 */
void blanket_gnttab_end_and_free(struct blanket_gnttab *gt, grant_ref_t ref,
				 struct page *page)
{
	unsigned long flags;
	struct blanket_gnttab_deferred *d;

	if (!blanket_gnttab_end(gt, ref)) {
		blanket_gnttab_release(gt, ref, page);
		return;
	}

	d = kzalloc(sizeof(*d), GFP_ATOMIC);
	spin_lock_irqsave(&gt->lock, flags);
	gt->stats.deferred++;
	if (!d) {
		/* Nowhere to remember it: leaked, but never reused. */
		gt->stats.leaked++;
		spin_unlock_irqrestore(&gt->lock, flags);
		return;
	}
	d->ref = ref;
	d->page = page;
	list_add_tail(&d->list, &gt->deferred);
	spin_unlock_irqrestore(&gt->lock, flags);
	schedule_delayed_work(&gt->deferred_work, msecs_to_jiffies(gt->retry_ms));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_end_and_free);

static void blanket_gnttab_retry(struct work_struct *work)
{
	struct blanket_gnttab *gt = container_of(to_delayed_work(work),
						 struct blanket_gnttab,
						 deferred_work);
	unsigned long flags;
	struct blanket_gnttab_deferred *d, *tmp;
	LIST_HEAD(todo);
	bool again;

	spin_lock_irqsave(&gt->lock, flags);
	list_splice_init(&gt->deferred, &todo);
	spin_unlock_irqrestore(&gt->lock, flags);

	list_for_each_entry_safe(d, tmp, &todo, list) {
		bool was_leaked = d->tries >= BLANKET_GNTTAB_RETRIES;

		if (blanket_gnttab_end(gt, d->ref)) {
			if (++d->tries == BLANKET_GNTTAB_RETRIES) {
				pr_warn("blanket: grant ref %u still mapped by L0 after %u retries; its page stays leaked until L0 lets go\n",
					d->ref, d->tries);
				spin_lock_irqsave(&gt->lock, flags);
				gt->stats.leaked++;
				spin_unlock_irqrestore(&gt->lock, flags);
			}
			continue;
		}
		list_del(&d->list);
		spin_lock_irqsave(&gt->lock, flags);
		gt->stats.deferred--;
		if (was_leaked)
			gt->stats.leaked--;
		spin_unlock_irqrestore(&gt->lock, flags);
		blanket_gnttab_release(gt, d->ref, d->page);
		kfree(d);
	}

	spin_lock_irqsave(&gt->lock, flags);
	list_splice(&todo, &gt->deferred);
	again = !list_empty(&gt->deferred);
	spin_unlock_irqrestore(&gt->lock, flags);
	if (again)
		schedule_delayed_work(&gt->deferred_work,
				      msecs_to_jiffies(gt->retry_ms));
}

void blanket_gnttab_get_stats(struct blanket_gnttab *gt,
			      struct blanket_gnttab_stats *stats)
{
	unsigned long flags;

	spin_lock_irqsave(&gt->lock, flags);
	*stats = gt->stats;
	spin_unlock_irqrestore(&gt->lock, flags);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_get_stats);

int blanket_gnttab_init(struct blanket_gnttab *gt, unsigned int max_frames,
			blanket_gnttab_map_fn map_frame, void *ctx)
{
	memset(gt, 0, sizeof(*gt));
	if (!max_frames)
		return -EINVAL;
	gt->frames = kcalloc(max_frames, sizeof(*gt->frames), GFP_KERNEL);
	gt->next = kvmalloc_array(max_frames * BLANKET_GNTTAB_PER_FRAME,
				  sizeof(*gt->next), GFP_KERNEL);
	if (!gt->frames || !gt->next) {
		kfree(gt->frames);
		kvfree(gt->next);
		return -ENOMEM;
	}
	gt->max_frames = max_frames;
	gt->map_frame = map_frame;
	gt->ctx = ctx;
	gt->free_head = BLANKET_GREF_END;
	gt->retry_ms = BLANKET_GNTTAB_RETRY_MS;
	mutex_init(&gt->grow_lock);
	spin_lock_init(&gt->lock);
	INIT_LIST_HEAD(&gt->deferred);
	INIT_DELAYED_WORK(&gt->deferred_work, blanket_gnttab_retry);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_init);

/*
 * Pages L0 still maps are not freed even now: they are leaked, loudly.
 * Unmapping the frames themselves is the owner's business.
 */
void blanket_gnttab_destroy(struct blanket_gnttab *gt)
{
	struct blanket_gnttab_deferred *d, *tmp;

	cancel_delayed_work_sync(&gt->deferred_work);
	list_for_each_entry_safe(d, tmp, &gt->deferred, list) {
		pr_warn("blanket: grant ref %u still mapped by L0 at teardown; leaking its page\n",
			d->ref);
		kfree(d);
	}
	kfree(gt->frames);
	kvfree(gt->next);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_gnttab_destroy);
