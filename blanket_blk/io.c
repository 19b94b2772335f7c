// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O path: requests onto the rings shared with blkback (one per
 * hardware queue, with its event channel), the slots that remember each
 * request in flight with its grants, bounce pages and indirect pages,
 * and the responses back to the block layer.
 *
 * Data reaches the backend one of three ways. With persistent grants,
 * each slot owns pages granted once for the life of the connection and
 * data is copied through them. Without, a trusted backend is granted the
 * request's own pages, and an untrusted one (trusted=0) the slot's pages,
 * granted per request, so that it never sees memory beside the data.
 */

#include <linux/highmem.h>
#include <linux/slab.h>

#include <blanket/ring.h>

#include "blkfront.h"

/*
 * blanket_dev_fatal(): each queue fails what it has in flight, in its own
 * context.
 */
void blanket_blk_io_fatal(struct blanket_device *bdev)
{
	struct blanket_blk *info = dev_get_drvdata(&bdev->dev);
	unsigned int i;

	for (i = 0; i < info->nr_queues; i++)
		queue_work(system_highpri_wq, &info->queues[i].work);
}

static bool blanket_blk_copies(struct blanket_blk *info)
{
	return info->cfg.persistent || !info->trusted;
}

static unsigned int blanket_blk_ipages(unsigned int nseg)
{
	return nseg > BLKIF_MAX_SEGMENTS_PER_REQUEST ?
	       DIV_ROUND_UP(nseg, BLANKET_BLK_SEGS_PER_PAGE) : 0;
}

/*
 * Whether a page reference keeps @page's memory from reuse. Slab objects
 * are reused whatever their page's count, and typed pages (slab, and
 * large kmalloc memory on newer kernels) refuse get_page() outright.
 */
static bool blanket_blk_page_holdable(struct page *page)
{
	struct folio *folio = page_folio(page);

	return !folio_test_slab(folio) && !page_has_type(&folio->page);
}

/*
 * End one grant of a finished request. If the backend still maps the
 * page, the page is kept (with a reference of its own) until it lets go,
 * and false is returned: a backend that does this is not to be trusted.
 * A borrowed page no reference can hold goes back to its owner all the
 * same: with trusted=1 L0 may see it, as it may see the rest of every
 * page it is granted; trusted=0 bounces, and grants only pages it owns.
 */
static bool blanket_blk_ungrant(struct blanket_device *bdev, grant_ref_t ref,
				struct page **owned, struct page *borrowed)
{
	if (!blanket_grant_end(bdev, ref)) {
		blanket_grant_free(bdev, ref);
		return true;
	}
	if (owned) {
		/* The slot gives its page up: it is never used again. */
		blanket_grant_end_free(bdev, ref, *owned);
		*owned = NULL;
	} else if (blanket_blk_page_holdable(borrowed)) {
		get_page(borrowed);
		blanket_grant_end_free(bdev, ref, borrowed);
	} else {
		blanket_grant_end_free(bdev, ref, NULL);
	}
	return false;
}

static struct page *blanket_blk_sg_page(struct scatterlist *sg)
{
	return blanket_nth_page(sg_page(sg), sg->offset >> PAGE_SHIFT);
}

/*
 * Take back the per-request grants of @s; false if the backend kept one.
 * Pages it keeps are the grant layer's from then on: the slot, short of
 * them, is lost and never handed out again.
 */
static bool blanket_blk_slot_ungrant(struct blanket_blk_queue *q,
				     struct blanket_blk_slot *s)
{
	struct blanket_device *bdev = q->info->bdev;
	bool clean = true;
	unsigned int i;

	if (!s->granted)
		return true;
	for (i = 0; i < s->nr_segs; i++)
		clean &= blanket_blk_ungrant(bdev, s->grefs[i],
					     s->pages ? &s->pages[i] : NULL,
					     blanket_blk_sg_page(&s->sg[i]));
	for (i = 0; i < s->nr_ipages; i++)
		clean &= blanket_blk_ungrant(bdev, s->igrefs[i], &s->ipages[i], NULL);
	s->granted = false;
	if (!clean)
		s->lost = true;
	return clean;
}

static void blanket_blk_copy_out(struct blanket_blk_slot *s)
{
	struct scatterlist *sg = s->sg;
	unsigned int i, off;

	for (i = 0; i < s->nr_segs; i++, sg = sg_next(sg)) {
		off = sg->offset & ~PAGE_MASK;
		memcpy_to_page(blanket_blk_sg_page(sg), off,
			       page_address(s->pages[i]) + off, sg->length);
	}
}

static void blanket_blk_slot_put(struct blanket_blk_queue *q, unsigned int id)
{
	spin_lock(&q->lock);
	q->slots[id].rq = NULL;
	spin_unlock(&q->lock);
}

/*
 * Grant (or bounce) the data of a read or write and describe it in @req.
 * Runs without the ring lock: growing the grant table may sleep.
 */
static int blanket_blk_prepare_rw(struct blanket_blk_queue *q,
				  struct blanket_blk_slot *s, unsigned int id,
				  struct blkif_request *req)
{
	struct blanket_blk *info = q->info;
	struct blanket_device *bdev = info->bdev;
	struct blanket_blkif_seg *segs;
	struct blkif_request_segment *ipages[BLANKET_BLK_MAX_INDIRECT_PAGES];
	bool write = s->op == BLKIF_OP_WRITE;
	struct scatterlist *sg;
	unsigned int i, nseg;
	int err = 0;

	nseg = blanket_rq_map_sg(s->rq, s->sg);
	if (!nseg)
		return -EIO;
	/*
	 * A request made for an earlier, larger connection goes in pieces:
	 * the first max_segs segments now, the rest when they are done.
	 */
	nseg = min(nseg, info->cfg.max_segs);
	segs = kmalloc_array(nseg, sizeof(*segs), GFP_NOIO);
	if (!segs)
		return -ENOMEM;
	s->nr_segs = nseg;
	s->nr_ipages = blanket_blk_ipages(nseg);
	if (!info->cfg.persistent) {
		err = blanket_grant_alloc(bdev, nseg, s->grefs);
		if (!err && s->nr_ipages) {
			err = blanket_grant_alloc(bdev, s->nr_ipages, s->igrefs);
			if (err)
				for (i = 0; i < nseg; i++)
					blanket_grant_free(bdev, s->grefs[i]);
		}
		if (err)
			goto out;
		s->granted = true;
	}

	s->bytes = 0;
	for_each_sg(s->sg, sg, nseg, i) {
		struct page *page = blanket_blk_sg_page(sg);
		unsigned int off = sg->offset & ~PAGE_MASK;

		s->bytes += sg->length;
		segs[i] = (struct blanket_blkif_seg) {
			.gref = s->grefs[i], .offset = off, .len = sg->length,
		};
		if (s->pages) {
			if (write && off + sg->length <= PAGE_SIZE)
				memcpy_from_page(page_address(s->pages[i]) + off,
						 page, off, sg->length);
			page = s->pages[i];
		}
		/* A grant that fails would fail again: so does the request. */
		if (s->granted && blanket_grant_page(bdev, s->grefs[i], page, write)) {
			err = -EIO;
			goto out;
		}
	}
	for (i = 0; i < s->nr_ipages; i++) {
		ipages[i] = page_address(s->ipages[i]);
		if (s->granted && blanket_grant_page(bdev, s->igrefs[i], s->ipages[i], true)) {
			err = -EIO;
			goto out;
		}
	}
	err = blanket_blkif_build_rw(req, s->op, id, (blkif_vdev_t)bdev->devid,
				     blk_rq_pos(s->rq), segs, nseg,
				     info->cfg.max_segs, s->igrefs, ipages);
	if (err)
		err = -EIO;
	else if (!s->granted)
		q->persistent_reuse++;
out:
	kfree(segs);
	return err;
}

/* Put @req on the ring and tell the backend if it asked to be told. */
static int blanket_blk_post(struct blanket_blk_queue *q, unsigned int id,
			    const struct blkif_request *req)
{
	struct blkif_sring *sring = q->sring;
	bool notify;
	u32 old;

	spin_lock(&q->lock);
	if (READ_ONCE(q->info->broken)) {
		spin_unlock(&q->lock);
		return -EIO;
	}
	old = q->req_prod;
	memcpy(&sring->ring[old & (q->ring_size - 1)].req, req, sizeof(*req));
	q->inflight_op[id] = q->slots[id].op;
	q->slots[id].seq = q->next_seq++;
	q->req_prod = old + 1;
	blanket_ring_publish(&sring->req_prod, q->req_prod);
	notify = blanket_ring_check_notify(old, q->req_prod, &sring->req_event);
	spin_unlock(&q->lock);
	if (notify)
		blanket_notify(q->info->bdev, q->port);
	return 0;
}

blk_status_t blanket_blk_io_submit(struct blanket_blk_queue *q, struct request *rq)
{
	struct blanket_blk *info = q->info;
	struct blanket_blk_slot *s;
	struct blkif_request req;
	unsigned int id;
	u8 flag;
	int op, err = 0;

	op = blanket_blkif_op(rq->cmd_flags, &info->cfg, &flag);
	if (op < 0)
		return BLK_STS_NOTSUPP;

	/*
	 * Checked under the lock that frees slots: a request that broke the
	 * device gives its slot up only after saying so.
	 */
	spin_lock(&q->lock);
	if (READ_ONCE(info->broken)) {
		spin_unlock(&q->lock);
		return BLK_STS_IOERR;
	}
	for (id = 0; id < q->ring_size && (q->slots[id].rq || q->slots[id].lost); id++)
		;
	if (id == q->ring_size) {
		/* Hardware queues sharing this ring: run again when one frees. */
		q->starved = true;
		spin_unlock(&q->lock);
		return BLK_STS_DEV_RESOURCE;
	}
	s = &q->slots[id];
	s->rq = rq;
	spin_unlock(&q->lock);

	s->op = op;
	s->nr_segs = 0;
	s->nr_ipages = 0;
	s->bytes = 0;
	s->granted = false;
	if (op == BLKIF_OP_READ || op == BLKIF_OP_WRITE)
		err = blanket_blk_prepare_rw(q, s, id, &req);
	else if (op == BLKIF_OP_DISCARD)
		blanket_blkif_build_discard(&req, id, blk_rq_pos(rq),
					    blk_rq_sectors(rq), flag);
	else
		blanket_blkif_build_flush(&req, op, id, (blkif_vdev_t)info->bdev->devid);
	if (!err)
		err = blanket_blk_post(q, id, &req);
	if (err) {
		/* Never posted: a backend that maps its grants guessed them. */
		if (!blanket_blk_slot_ungrant(q, s))
			blanket_dev_fatal(info->bdev, &info->broken,
					  "backend mapped a grant of a request never sent");
		blanket_blk_slot_put(q, id);
		/* Out of memory or grants: the block layer tries again later. */
		return err == -EIO ? BLK_STS_IOERR : BLK_STS_RESOURCE;
	}
	return BLK_STS_OK;
}

/*
 * The connection's limits on the disk's queue, after a (re)connect or a
 * refused operation.
 */
void blanket_blk_io_limits(struct blanket_blk *info)
{
	struct blanket_queue_limits lim;

	blanket_blkif_limits(&info->be, &info->cfg, &lim);
	if (blanket_set_queue_limits(info->disk->queue, &lim))
		dev_warn(&info->bdev->dev, "%s: the block layer refused the backend's limits\n",
			 info->disk->disk_name);
}

/*
 * Blkback refused an operation it had offered: the disk stops offering
 * it upward. The refused request itself fails: a flush that did not
 * happen is never reported as done.
 */
static void blanket_blk_refused(struct blanket_blk *info, u8 op)
{
	dev_warn(&info->bdev->dev, "backend refused operation %u; not used from now on\n", op);
	if (op == BLKIF_OP_DISCARD) {
		WRITE_ONCE(info->cfg.discard, false);
		WRITE_ONCE(info->cfg.discard_secure, false);
	} else if (op == BLKIF_OP_FLUSH_DISKCACHE || op == BLKIF_OP_WRITE_BARRIER) {
		WRITE_ONCE(info->cfg.flush_op, 0);
	} else {
		return;
	}
	if (info->disk)
		blanket_blk_io_limits(info);
}

static blk_status_t blanket_blk_status(struct blanket_blk *info, u8 op,
				       s16 status)
{
	if (status == BLKIF_RSP_OKAY)
		return BLK_STS_OK;
	if (status == BLKIF_RSP_EOPNOTSUPP) {
		blanket_blk_refused(info, op);
		return BLK_STS_NOTSUPP;
	}
	return BLK_STS_IOERR;
}

/* A response's request is done: its grants back, its data in place. */
static void blanket_blk_finish(struct blanket_blk_queue *q, unsigned int id,
			       s16 status)
{
	struct blanket_blk *info = q->info;
	struct blanket_blk_slot *s = &q->slots[id];
	struct request *rq = s->rq;
	blk_status_t sts = blanket_blk_status(info, s->op, status);
	unsigned int bytes;

	if (!blanket_blk_slot_ungrant(q, s)) {
		blanket_dev_fatal(info->bdev, &info->broken,
				  "backend kept a grant of a finished request");
		sts = BLK_STS_IOERR;
	}
	if (sts == BLK_STS_OK && s->op == BLKIF_OP_READ && s->pages)
		blanket_blk_copy_out(s);
	/* Read before the slot is free for the next request. */
	bytes = s->bytes;
	blanket_blk_slot_put(q, id);
	/* Only a piece was sent: account for it and send the rest. */
	if (sts == BLK_STS_OK && bytes && bytes < blk_rq_bytes(rq)) {
		blk_update_request(rq, BLK_STS_OK, bytes);
		blk_mq_requeue_request(rq, true);
		return;
	}
	blk_mq_end_request(rq, sts);
}

/* A broken device: whatever is in flight fails, its grants are taken back. */
static void blanket_blk_fail_inflight(struct blanket_blk_queue *q)
{
	unsigned int id;

	for (id = 0; q->inflight_op && id < q->ring_size; id++) {
		spin_lock(&q->lock);
		if (q->inflight_op[id] == BLANKET_BLK_NO_OP) {
			spin_unlock(&q->lock);
			continue;
		}
		q->inflight_op[id] = BLANKET_BLK_NO_OP;
		spin_unlock(&q->lock);
		blanket_blk_finish(q, id, BLKIF_RSP_ERROR);
	}
}

static bool blanket_blk_has_responses(struct blanket_blk_queue *q)
{
	return READ_ONCE(q->sring->rsp_prod) != READ_ONCE(q->rsp_cons);
}

/* Responses, each read once from the shared ring and checked whole. */
static void blanket_blk_responses(struct work_struct *work)
{
	struct blanket_blk_queue *q = container_of(work, struct blanket_blk_queue, work);
	struct blanket_blk *info = q->info;
	struct blkif_response rsp;
	const char *why;
	bool done = false;
	u32 prod;

	spin_lock(&q->lock);
	while (!READ_ONCE(info->broken)) {
		prod = READ_ONCE(q->sring->rsp_prod);
		/* The responses are read only after the producer that covers them. */
		virt_rmb();
		if (!blanket_ring_rsp_prod_valid(prod, q->rsp_cons, q->req_prod)) {
			spin_unlock(&q->lock);
			blanket_dev_fatal(info->bdev, &info->broken,
					  "queue %u: response producer %u outside [%u, %u]",
					  q->index, prod, q->rsp_cons, q->req_prod);
			spin_lock(&q->lock);
			break;
		}
		/* Once broken, nothing more from this backend is believed. */
		while (q->rsp_cons != prod && !READ_ONCE(info->broken)) {
			memcpy(&rsp, &q->sring->ring[q->rsp_cons & (q->ring_size - 1)].rsp,
			       sizeof(rsp));
			q->rsp_cons++;
			if (blanket_blkif_check_rsp(&rsp, q->ring_size, q->inflight_op, &why)) {
				spin_unlock(&q->lock);
				blanket_dev_fatal(info->bdev, &info->broken,
						  "queue %u: %s (id %llu, op %u, status %d)",
						  q->index, why, rsp.id, rsp.operation,
						  rsp.status);
				spin_lock(&q->lock);
				break;
			}
			q->inflight_op[rsp.id] = BLANKET_BLK_NO_OP;
			spin_unlock(&q->lock);
			blanket_blk_finish(q, rsp.id, rsp.status);
			done = true;
			spin_lock(&q->lock);
		}
		if (READ_ONCE(info->broken))
			break;
		/* Ask for an event at the next response, then look once more. */
		WRITE_ONCE(q->sring->rsp_event, q->rsp_cons + 1);
		/* rsp_event out before rsp_prod is read again: no lost event. */
		virt_mb();
		if (READ_ONCE(q->sring->rsp_prod) == q->rsp_cons)
			break;
	}
	/* A request that found no free slot waits for one we just freed. */
	done &= q->starved;
	if (done)
		q->starved = false;
	spin_unlock(&q->lock);
	if (READ_ONCE(info->broken)) {
		blanket_blk_fail_inflight(q);
		/* What waits for a slot learns the device is broken. */
		done = true;
	}
	if (done && info->disk)
		blk_mq_run_hw_queues(info->disk->queue, true);
}

/*
 * Spurious, for throttling, is an event whose producer has not moved
 * since the last one: the work item may have taken the responses a
 * genuine event announces before the event is handled.
 */
static bool blanket_blk_event(evtchn_port_t port, void *data)
{
	struct blanket_blk_queue *q = data;
	u32 prod = READ_ONCE(q->sring->rsp_prod);
	bool news = prod != q->rsp_prod_seen;

	q->rsp_prod_seen = prod;
	if (blanket_blk_has_responses(q)) {
		queue_work(system_highpri_wq, &q->work);
		return true;
	}
	return news;
}

static void blanket_blk_slot_free(struct blanket_blk_queue *q,
				  struct blanket_blk_slot *s)
{
	struct blanket_device *bdev = q->info->bdev;
	unsigned int i, nr_ipages = blanket_blk_ipages(q->max_segs);

	/* No page is freed while granted: one still mapped is parked. */
	blanket_blk_slot_ungrant(q, s);
	for (i = 0; s->pages && i < q->max_segs; i++) {
		if (s->held)
			blanket_grant_end_free(bdev, s->grefs[i], s->pages[i]);
		else if (s->pages[i])
			__free_page(s->pages[i]);
	}
	for (i = 0; i < nr_ipages; i++) {
		if (s->iheld)
			blanket_grant_end_free(bdev, s->igrefs[i], s->ipages[i]);
		else if (s->ipages[i])
			__free_page(s->ipages[i]);
	}
	kfree(s->pages);
	kfree(s->grefs);
	kfree(s->sg);
}

/*
 * Grant a slot's own pages for the life of the connection. If one grant
 * fails, those made before it are given up: not advertised yet, but a
 * backend guessing references may map them all the same, so each page
 * goes to the grant layer, to be freed only once unmapped, and the slot
 * forgets it.
 */
static int blanket_blk_grant_pages(struct blanket_device *bdev,
				   struct page **pages, grant_ref_t *refs,
				   unsigned int nr, bool readonly)
{
	unsigned int i, granted;
	int err;

	err = blanket_grant_alloc(bdev, nr, refs);
	if (err)
		return err;
	for (granted = 0; granted < nr; granted++) {
		err = blanket_grant_page(bdev, refs[granted], pages[granted], readonly);
		if (err)
			break;
	}
	if (!err)
		return 0;
	for (i = 0; i < nr; i++) {
		if (i < granted) {
			blanket_grant_end_free(bdev, refs[i], pages[i]);
			pages[i] = NULL;
		} else {
			blanket_grant_free(bdev, refs[i]);
		}
	}
	return err;
}

/* What a slot holds for the life of a connection. */
static int blanket_blk_slot_init(struct blanket_blk_queue *q,
				 struct blanket_blk_slot *s)
{
	struct blanket_blk *info = q->info;
	unsigned int i, max = q->max_segs;
	unsigned int nr_ipages = blanket_blk_ipages(max);
	int err;

	memset(s, 0, sizeof(*s));
	s->grefs = kcalloc(max, sizeof(*s->grefs), GFP_KERNEL);
	/* Room for a request made under any connection's limits. */
	s->sg = kcalloc(info->sg_max, sizeof(*s->sg), GFP_KERNEL);
	if (!s->grefs || !s->sg)
		return -ENOMEM;
	sg_init_table(s->sg, info->sg_max);
	for (i = 0; i < nr_ipages; i++) {
		s->ipages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!s->ipages[i])
			return -ENOMEM;
	}
	if (!blanket_blk_copies(info))
		return 0;
	s->pages = kcalloc(max, sizeof(*s->pages), GFP_KERNEL);
	if (!s->pages)
		return -ENOMEM;
	for (i = 0; i < max; i++) {
		s->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!s->pages[i])
			return -ENOMEM;
	}
	if (!info->cfg.persistent)
		return 0;
	/* Granted once, for the life of the connection. */
	err = blanket_blk_grant_pages(info->bdev, s->pages, s->grefs, max, false);
	if (err)
		return err;
	s->held = true;
	/* Blkback maps persistent grants read-write, indirect pages too. */
	err = blanket_blk_grant_pages(info->bdev, s->ipages, s->igrefs, nr_ipages, false);
	if (!err)
		s->iheld = true;
	return err;
}

static void blanket_blk_slots_destroy(struct blanket_blk_queue *q)
{
	unsigned int i;

	for (i = 0; q->slots && i < q->ring_size; i++)
		blanket_blk_slot_free(q, &q->slots[i]);
	kfree(q->slots);
	kfree(q->inflight_op);
	q->slots = NULL;
	q->inflight_op = NULL;
}

/* The slots of every queue, sized by what the connected backend offers. */
int blanket_blk_io_slots_create(struct blanket_blk *info)
{
	unsigned int i, id;
	int err;

	info->sg_max = max(info->sg_max, info->cfg.max_segs);
	for (i = 0; i < info->nr_queues; i++) {
		struct blanket_blk_queue *q = &info->queues[i];

		/* A backend that said Connected again after a failed connect. */
		blanket_blk_slots_destroy(q);
		q->max_segs = info->cfg.max_segs;
		q->slots = kcalloc(q->ring_size, sizeof(*q->slots), GFP_KERNEL);
		q->inflight_op = kmalloc(q->ring_size, GFP_KERNEL);
		if (!q->slots || !q->inflight_op)
			return -ENOMEM;
		memset(q->inflight_op, BLANKET_BLK_NO_OP, q->ring_size);
		for (id = 0; id < q->ring_size; id++) {
			err = blanket_blk_slot_init(q, &q->slots[id]);
			if (err)
				return err;
		}
	}
	return 0;
}

static void blanket_blk_queue_unbind(struct blanket_blk_queue *q)
{
	if (q->bound) {
		blanket_free_evtchn(q->info->bdev, q->port);
		q->bound = false;
	}
}

static void blanket_blk_queue_destroy(struct blanket_blk_queue *q)
{
	struct blanket_device *bdev = q->info->bdev;

	blanket_blk_slots_destroy(q);
	if (q->sring)
		blanket_teardown_ring(bdev, q->sring, q->ring_order, q->ring_refs);
	q->sring = NULL;
}

/* The rings and event channels, sized as the layout says. */
int blanket_blk_io_create(struct blanket_blk *info)
{
	struct blanket_device *bdev = info->bdev;
	char name[64];
	unsigned int i;
	int err;

	info->queues = kcalloc(info->lay.nr_queues, sizeof(*info->queues), GFP_KERNEL);
	if (!info->queues)
		return -ENOMEM;
	info->nr_queues = info->lay.nr_queues;
	/* All initialised first: a failure tears down every queue alike. */
	for (i = 0; i < info->nr_queues; i++) {
		struct blanket_blk_queue *q = &info->queues[i];

		q->info = info;
		q->index = i;
		spin_lock_init(&q->lock);
		INIT_WORK(&q->work, blanket_blk_responses);
	}
	for (i = 0; i < info->nr_queues; i++) {
		struct blanket_blk_queue *q = &info->queues[i];

		q->ring_order = info->lay.ring_order;
		q->ring_size = blanket_blkif_ring_size(q->ring_order);
		q->sring = blanket_setup_ring(bdev, q->ring_order, q->ring_refs);
		if (IS_ERR(q->sring)) {
			err = PTR_ERR(q->sring);
			q->sring = NULL;
			return err;
		}
		/*
		 * The pages come zeroed, indices and all; each side wants to
		 * hear of the other's first entry.
		 */
		q->sring->req_event = 1;
		q->sring->rsp_event = 1;
		err = blanket_alloc_evtchn(bdev, &q->port);
		if (err)
			return err;
		/* The disk may have no name yet: the device's is there. */
		snprintf(name, sizeof(name), "%s-q%u", dev_name(&bdev->dev), i);
		err = blanket_bind_evtchn(bdev, q->port, name, blanket_blk_event, q);
		if (err) {
			blanket_free_evtchn(bdev, q->port);
			return err;
		}
		q->bound = true;
		blanket_spread_evtchn(bdev, q->port, i);
	}
	return 0;
}

void blanket_blk_io_destroy(struct blanket_blk *info)
{
	unsigned int i, pass;

	for (i = 0; i < info->nr_queues; i++)
		blanket_blk_queue_unbind(&info->queues[i]);
	/*
	 * A queue's work that finds the device broken queues every other
	 * queue's, once: a second pass catches what the first let through.
	 */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < info->nr_queues; i++)
			cancel_work_sync(&info->queues[i].work);
	for (i = 0; i < info->nr_queues; i++)
		blanket_blk_queue_destroy(&info->queues[i]);
	kfree(info->queues);
	info->queues = NULL;
	info->nr_queues = 0;
}

/*
 * The slot of the next request in flight to give back, taken off the
 * ring's books; -1 when none is left. The backend answers in any order,
 * so slots are found by id and ordered by sequence number: the oldest
 * first, or the newest where the block layer requeues at the head.
 */
static int blanket_blk_take_next(struct blanket_blk_queue *q)
{
	unsigned int id;
	int next = -1;

	spin_lock(&q->lock);
	for (id = 0; id < q->ring_size; id++) {
		if (q->inflight_op[id] == BLANKET_BLK_NO_OP)
			continue;
		if (next < 0 || (BLANKET_REQUEUE_AT_HEAD ?
				 q->slots[id].seq > q->slots[next].seq :
				 q->slots[id].seq < q->slots[next].seq))
			next = id;
	}
	if (next >= 0)
		q->inflight_op[next] = BLANKET_BLK_NO_OP;
	spin_unlock(&q->lock);
	return next;
}

/*
 * The backend went away with requests in flight. Whatever it answered is
 * completed first; the rest goes back to the block layer, to be sent
 * again in the order it was put on the ring once a backend is connected. A
 * write is never dropped: the worst a requeue does is write it twice.
 */
void blanket_blk_io_requeue(struct blanket_blk *info)
{
	struct request *rq;
	unsigned int i;
	int id;

	for (i = 0; i < info->nr_queues; i++) {
		struct blanket_blk_queue *q = &info->queues[i];

		blanket_blk_queue_unbind(q);
		if (!q->slots)
			continue;
		if (!READ_ONCE(info->broken)) {
			queue_work(system_highpri_wq, &q->work);
			flush_work(&q->work);
		}
		while ((id = blanket_blk_take_next(q)) >= 0) {
			rq = q->slots[id].rq;
			/* It cannot answer any more: ending a grant fails only if it still maps. */
			blanket_blk_slot_ungrant(q, &q->slots[id]);
			blanket_blk_slot_put(q, id);
			blk_mq_requeue_request(rq, false);
		}
		q->rsp_cons = q->req_prod;
	}
}
