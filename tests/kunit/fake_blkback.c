// SPDX-License-Identifier: GPL-2.0
/*
 * The fake blkback. It does what L0's blkback does with a frontend's
 * rings (map them, read requests, copy data through the grants it is
 * given, post responses and notify), with a disk in memory behind it.
 */

#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <xen/interface/io/protocols.h>

#include "fake_blkback.h"

static u32 fake_blkback_node_u32(struct fake_blkback *fbb, const char *dir,
				 const char *node, u32 dflt)
{
	char path[96], *value;
	u32 v = dflt;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	value = fake_xenstored_get(fbb->fl0->xsd, path);
	if (value && kstrtou32(value, 10, &v))
		KUNIT_FAIL(fbb->test, "%s: \"%s\" is not a number", path, value);
	kfree(value);
	return v;
}

int fake_blkback_set(struct fake_blkback *fbb, const char *node, const char *value)
{
	char path[96];

	snprintf(path, sizeof(path), "%s/%s", fbb->be, node);
	return fake_xenstored_set(fbb->fl0->xsd, path, value);
}

/* Change the backend's state and let the frontend react to it. */
void fake_blkback_state(struct fake_blkback *fbb, enum xenbus_state state)
{
	char value[4];

	snprintf(value, sizeof(value), "%d", state);
	KUNIT_ASSERT_EQ(fbb->test, fake_blkback_set(fbb, "state", value), 0);
	fake_xenstored_settle(fbb->fl0->xsd);
}

static void fake_blkback_kick(void *data)
{
	struct fake_blkback *fbb = data;

	schedule_work(&fbb->work);
}

/*
 * Blkback maps a persistent grant read-write, whatever the request it
 * first comes with (it may serve reads later): the grant must allow it.
 */
static int fake_blkback_persistent_ok(struct fake_blkback *fbb, grant_ref_t ref)
{
	if (!fbb->persistent)
		return 0;
	if (!fake_l0_grant_map(fbb->fl0, ref, true))
		return -EPERM;
	fake_l0_grant_unmap(fbb->fl0, ref, true);
	return 0;
}

/* Data segments of a request: from the request, or its indirect pages. */
static int fake_blkback_segs(struct fake_blkback *fbb, const struct blkif_request *req,
			     struct blkif_request_segment *segs, unsigned int *nseg)
{
	unsigned int i, n, npages;

	if (req->operation != BLKIF_OP_INDIRECT) {
		n = req->u.rw.nr_segments;
		if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
			return -EINVAL;
		memcpy(segs, req->u.rw.seg, n * sizeof(*segs));
		*nseg = n;
		return 0;
	}
	n = req->u.indirect.nr_segments;
	npages = DIV_ROUND_UP(n, BLANKET_BLK_SEGS_PER_PAGE);
	if (!n || npages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		return -EINVAL;
	for (i = 0; i < npages; i++) {
		unsigned int chunk = min_t(unsigned int, n - i * BLANKET_BLK_SEGS_PER_PAGE,
					   BLANKET_BLK_SEGS_PER_PAGE);
		grant_ref_t ref = req->u.indirect.indirect_grefs[i];
		int err = fake_blkback_persistent_ok(fbb, ref) ?:
			  fake_l0_grant_copy(fbb->fl0, ref, 0,
					     segs + i * BLANKET_BLK_SEGS_PER_PAGE,
					     chunk * sizeof(*segs), false);

		if (err)
			return err;
	}
	*nseg = n;
	return 0;
}

static unsigned long fake_blkback_pfn(struct fake_blkback *fbb, grant_ref_t ref)
{
	struct grant_entry_v1 *e;

	e = &fbb->fl0->frames[ref / BLANKET_GNTTAB_PER_FRAME][ref % BLANKET_GNTTAB_PER_FRAME];
	return READ_ONCE(e->frame) - FAKE_L0_GFN_OFFSET;
}

/* Reads and writes, by grant copy between the disk and the frontend. */
static s16 fake_blkback_rw(struct fake_blkback *fbb, const struct blkif_request *req,
			   struct fake_blkback_req *log)
{
	struct blkif_request_segment *segs;
	bool read = log->op == BLKIF_OP_READ;
	unsigned int i, nseg;
	u64 off = log->sector << SECTOR_SHIFT;
	s16 status = BLKIF_RSP_OKAY;

	segs = kcalloc(BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST * BLANKET_BLK_SEGS_PER_PAGE,
		       sizeof(*segs), GFP_KERNEL);
	if (!segs || fake_blkback_segs(fbb, req, segs, &nseg)) {
		kfree(segs);
		return BLKIF_RSP_ERROR;
	}
	log->nr_segs = nseg;
	log->gref0 = segs[0].gref;
	log->pfn0 = fake_blkback_pfn(fbb, segs[0].gref);
	for (i = 0; i < nseg && status == BLKIF_RSP_OKAY; i++) {
		unsigned int first = segs[i].first_sect, last = segs[i].last_sect;
		unsigned int len = (last - first + 1) << SECTOR_SHIFT;

		if (last < first || last >= BLANKET_BLK_SECTORS_PER_PAGE ||
		    off + len > fbb->sectors << SECTOR_SHIFT ||
		    fake_blkback_persistent_ok(fbb, segs[i].gref) ||
		    fake_l0_grant_copy(fbb->fl0, segs[i].gref, first << SECTOR_SHIFT,
				       fbb->disk + off, len, read))
			status = BLKIF_RSP_ERROR;
		off += len;
	}
	if (fbb->fault == FAKE_BLKBACK_KEEP_MAPPED && !fbb->kept &&
	    fake_l0_grant_map(fbb->fl0, segs[0].gref, read)) {
		fbb->kept = true;
		fbb->kept_write = read;
		fbb->kept_ref = segs[0].gref;
	}
	kfree(segs);
	return status;
}

static s16 fake_blkback_do(struct fake_blkback *fbb, const struct blkif_request *req,
			   struct fake_blkback_req *log)
{
	log->op = req->operation;
	if (req->operation == BLKIF_OP_INDIRECT) {
		log->op = req->u.indirect.indirect_op;
		log->indirect = true;
		log->sector = req->u.indirect.sector_number;
		return fake_blkback_rw(fbb, req, log);
	}
	switch (req->operation) {
	case BLKIF_OP_READ:
	case BLKIF_OP_WRITE:
		log->sector = req->u.rw.sector_number;
		return fake_blkback_rw(fbb, req, log);
	case BLKIF_OP_DISCARD:
		log->sector = req->u.discard.sector_number;
		log->nr_sectors = req->u.discard.nr_sectors;
		log->discard_flag = req->u.discard.flag;
		if (log->sector + log->nr_sectors > fbb->sectors)
			return BLKIF_RSP_ERROR;
		memset(fbb->disk + (log->sector << SECTOR_SHIFT), 0,
		       log->nr_sectors << SECTOR_SHIFT);
		return BLKIF_RSP_OKAY;
	case BLKIF_OP_FLUSH_DISKCACHE:
	case BLKIF_OP_WRITE_BARRIER:
		log->nr_segs = req->u.rw.nr_segments;
		return BLKIF_RSP_OKAY;
	default:
		return BLKIF_RSP_EOPNOTSUPP;
	}
}

static void fake_blkback_respond(struct fake_blkback_queue *q, u64 id, u8 op, s16 status)
{
	u32 size = blanket_blkif_ring_size(q->fbb->ring_order);
	struct blkif_response *rsp = &q->sring->ring[q->rsp_prod & (size - 1)].rsp;

	rsp->id = id;
	rsp->operation = op;
	rsp->status = status;
	q->rsp_prod++;
}

/* The next response, spoiled as the fault says. */
static void fake_blkback_answer(struct fake_blkback_queue *q, u64 id, u8 op, s16 status)
{
	struct fake_blkback *fbb = q->fbb;
	u32 size = blanket_blkif_ring_size(fbb->ring_order);

	switch (fbb->fault) {
	case FAKE_BLKBACK_BAD_ID:
		id = size + 3;
		break;
	case FAKE_BLKBACK_IDLE_ID:
		/* Tests keep two requests in flight, ids 0 and 1. */
		id = (id + 2) % size;
		break;
	case FAKE_BLKBACK_WRONG_OP:
		op = op == BLKIF_OP_READ ? BLKIF_OP_WRITE : BLKIF_OP_READ;
		break;
	case FAKE_BLKBACK_BAD_STATUS:
		status = 42;
		break;
	case FAKE_BLKBACK_BAD_PROD:
		q->rsp_prod += size;
		break;
	case FAKE_BLKBACK_TWICE:
		/* Every response after the first repeats the first. */
		if (q->answered) {
			id = q->first_id;
			op = q->first_op;
		}
		break;
	case FAKE_BLKBACK_IO_ERROR:
		status = BLKIF_RSP_ERROR;
		break;
	case FAKE_BLKBACK_REFUSE:
		if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE)
			status = BLKIF_RSP_EOPNOTSUPP;
		break;
	case FAKE_BLKBACK_KEEP_MAPPED:
	case FAKE_BLKBACK_NONE:
		break;
	}
	if (!q->answered) {
		q->first_id = id;
		q->first_op = op;
		q->answered = true;
	}
	fake_blkback_respond(q, id, op, status);
}

/*
 * Answer the requests on @q's ring; with @newest only the last one, the
 * others taken but left unanswered, as blkback's disk may finish a later
 * request first.
 */
static bool fake_blkback_queue_serve(struct fake_blkback_queue *q, bool newest)
{
	struct fake_blkback *fbb = q->fbb;
	u32 size = blanket_blkif_ring_size(fbb->ring_order);
	struct blkif_request req;
	u32 prod = READ_ONCE(q->sring->req_prod);
	bool any = false;

	/* Requests are read only after the producer that covers them. */
	virt_rmb();
	if (newest && q->req_cons != prod)
		q->req_cons = prod - 1;
	while (q->req_cons != prod) {
		struct fake_blkback_req log = {};
		s16 status;

		memcpy(&req, &q->sring->ring[q->req_cons & (size - 1)].req, sizeof(req));
		q->req_cons++;
		status = fake_blkback_do(fbb, &req, &log);
		if (fbb->nr_log < FAKE_BLKBACK_LOG)
			fbb->log[fbb->nr_log++] = log;
		/* The id sits at the same offset in every request kind. */
		fake_blkback_answer(q, req.u.rw.id, log.op, status);
		any = true;
	}
	if (any) {
		/* Responses in the ring before the producer that publishes them. */
		virt_wmb();
		WRITE_ONCE(q->sring->rsp_prod, q->rsp_prod);
		WRITE_ONCE(q->sring->req_event, q->req_cons + 1);
	}
	return any;
}

static void fake_blkback_serve_all(struct fake_blkback *fbb, bool newest)
{
	unsigned int i;

	mutex_lock(&fbb->lock);
	for (i = 0; fbb->connected && i < fbb->nr_queues; i++)
		if (fake_blkback_queue_serve(&fbb->q[i], newest))
			fake_l0_raise(fbb->fl0, fbb->q[i].port);
	mutex_unlock(&fbb->lock);
}

/* Answer whatever the rings hold, unless told to hold. */
void fake_blkback_serve(struct fake_blkback *fbb)
{
	if (!READ_ONCE(fbb->hold))
		fake_blkback_serve_all(fbb, false);
}

/*
 * Answer the newest request of each ring only, hold or not; the older
 * ones are taken and never answered by this backend.
 */
void fake_blkback_serve_newest(struct fake_blkback *fbb)
{
	fake_blkback_serve_all(fbb, true);
}

static void fake_blkback_work(struct work_struct *work)
{
	fake_blkback_serve(container_of(work, struct fake_blkback, work));
}

/* Requests the frontend posted that are not answered yet. */
unsigned int fake_blkback_pending(struct fake_blkback *fbb)
{
	unsigned int i, n = 0;

	mutex_lock(&fbb->lock);
	for (i = 0; fbb->connected && i < fbb->nr_queues; i++)
		n += READ_ONCE(fbb->q[i].sring->req_prod) - fbb->q[i].req_cons;
	mutex_unlock(&fbb->lock);
	return n;
}

static void fake_blkback_map_queue(struct fake_blkback *fbb, struct fake_blkback_queue *q,
				   const char *dir)
{
	struct kunit *test = fbb->test;
	unsigned int i;
	char node[sizeof("ring-ref4294967295")];
	void *page;

	q->fbb = fbb;
	q->nr_refs = 1U << fbb->ring_order;
	for (i = 0; i < q->nr_refs; i++) {
		if (fbb->ring_order)
			snprintf(node, sizeof(node), "ring-ref%u", i);
		else
			strscpy(node, "ring-ref", sizeof(node));
		q->refs[i] = fake_blkback_node_u32(fbb, dir, node, 0);
		page = fake_l0_grant_map(fbb->fl0, q->refs[i], true);
		KUNIT_ASSERT_NOT_NULL(test, page);
		/* Our frontend's ring pages are one allocation: map it flat. */
		if (!i)
			q->sring = page;
		KUNIT_ASSERT_PTR_EQ(test, page, (void *)q->sring + i * PAGE_SIZE);
	}
	q->port = fake_blkback_node_u32(fbb, dir, "event-channel", 0);
	KUNIT_ASSERT_TRUE(test, fake_l0_port_open(fbb->fl0, q->port));
	/* Blkback attaches where the ring stands: a fresh one stands at 0. */
	q->rsp_prod = READ_ONCE(q->sring->rsp_prod);
	q->req_cons = q->rsp_prod;
	q->answered = false;
	fake_l0_bind_backend(fbb->fl0, q->port, fake_blkback_kick, fbb);
}

/* Map the rings the frontend's keys name, then go Connected. */
static void fake_blkback_attach(struct fake_blkback *fbb)
{
	char dir[sizeof(fbb->fe) + sizeof("/queue-4294967295")];
	unsigned int i;

	mutex_lock(&fbb->lock);
	fbb->ring_order = fake_blkback_node_u32(fbb, fbb->fe, "ring-page-order", 0);
	fbb->persistent = fake_blkback_node_u32(fbb, fbb->fe, "feature-persistent", 0) &&
			  fake_blkback_node_u32(fbb, fbb->be, "feature-persistent", 0);
	fbb->nr_queues = fake_blkback_node_u32(fbb, fbb->fe, "multi-queue-num-queues", 1);
	mutex_unlock(&fbb->lock);
	KUNIT_ASSERT_LE(fbb->test, fbb->nr_queues, FAKE_BLKBACK_QUEUES);
	for (i = 0; i < fbb->nr_queues; i++) {
		if (fbb->nr_queues > 1)
			snprintf(dir, sizeof(dir), "%s/queue-%u", fbb->fe, i);
		else
			strscpy(dir, fbb->fe, sizeof(dir));
		fake_blkback_map_queue(fbb, &fbb->q[i], dir);
	}
	mutex_lock(&fbb->lock);
	fbb->connected = true;
	mutex_unlock(&fbb->lock);
	fake_blkback_state(fbb, XenbusStateConnected);
}

/* The frontend is Initialised: map its rings, then go Connected. */
void fake_blkback_connect(struct fake_blkback *fbb)
{
	struct kunit *test = fbb->test;
	char *proto, dir[48];

	KUNIT_ASSERT_EQ(test, fake_blkback_node_u32(fbb, fbb->fe, "state", 0),
			(u32)XenbusStateInitialised);
	snprintf(dir, sizeof(dir), "%s/protocol", fbb->fe);
	proto = fake_xenstored_get(fbb->fl0->xsd, dir);
	KUNIT_EXPECT_STREQ(test, proto ?: "", XEN_IO_PROTO_ABI_NATIVE);
	kfree(proto);
	fake_blkback_attach(fbb);
}

/*
 * Blkback unbound and bound again (6.1's allow_rebind): it lets go of the
 * rings without a state change, says InitWait when bound, and, seeing the
 * frontend still Connected, attaches to the same rings where they stand.
 * Binding the event channel again leaves it pending, as Xen does, in
 * case a notification was lost meanwhile.
 */
void fake_blkback_rebind(struct fake_blkback *fbb)
{
	fake_blkback_release(fbb);
	fake_blkback_state(fbb, XenbusStateInitWait);
	KUNIT_ASSERT_EQ(fbb->test, fake_blkback_node_u32(fbb, fbb->fe, "state", 0),
			(u32)XenbusStateConnected);
	fake_blkback_attach(fbb);
	fake_blkback_kick(fbb);
}

/* Let go of the rings, as blkback does before it says Closed. */
void fake_blkback_release(struct fake_blkback *fbb)
{
	unsigned int i, j;

	cancel_work_sync(&fbb->work);
	mutex_lock(&fbb->lock);
	for (i = 0; fbb->connected && i < fbb->nr_queues; i++) {
		fake_l0_bind_backend(fbb->fl0, fbb->q[i].port, NULL, NULL);
		for (j = 0; j < fbb->q[i].nr_refs; j++)
			fake_l0_grant_unmap(fbb->fl0, fbb->q[i].refs[j], true);
	}
	fbb->connected = false;
	if (fbb->kept)
		fake_l0_grant_unmap(fbb->fl0, fbb->kept_ref, fbb->kept_write);
	fbb->kept = false;
	mutex_unlock(&fbb->lock);
}

/* Blkback going away (a restart, or an unplug) with requests unanswered. */
void fake_blkback_disconnect(struct fake_blkback *fbb)
{
	fake_blkback_release(fbb);
	fake_blkback_state(fbb, XenbusStateClosed);
}

static void fake_blkback_free(struct kunit_resource *res)
{
	struct fake_blkback *fbb = res->data;

	/* Before the fake L0 removes the device: a frontend must not wait for us. */
	fake_blkback_disconnect(fbb);
	vfree(fbb->disk);
}

static int fake_blkback_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/*
 * The backend directory of the frontend's domain @domid, Initialising,
 * with the keys blkback writes at probe and at connect (a test may change
 * them before), and the frontend's directory that names it.
 */
static void fake_blkback_publish(struct fake_blkback *fbb, domid_t domid)
{
	struct kunit *test = fbb->test;
	char value[24];

	snprintf(fbb->be, sizeof(fbb->be), "/local/domain/%u/backend/vbd/%u/%u",
		 FAKE_L0_BACKEND_DOMID, domid, fbb->id);
	snprintf(value, sizeof(value), "%llu", fbb->sectors);
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "sectors", value) ?:
			fake_blkback_set(fbb, "info", "0") ?:
			fake_blkback_set(fbb, "sector-size", "512") ?:
			fake_blkback_set(fbb, "mode", "w") ?:
			fake_blkback_set(fbb, "feature-flush-cache", "1") ?:
			fake_blkback_set(fbb, "feature-discard", "1") ?:
			fake_blkback_set(fbb, "discard-granularity", "4096") ?:
			fake_blkback_set(fbb, "discard-secure", "1") ?:
			fake_blkback_set(fbb, "feature-max-indirect-segments", "256") ?:
			fake_blkback_set(fbb, "multi-queue-max-queues", "4") ?:
			fake_blkback_set(fbb, "max-ring-page-order", "2"), 0);
	KUNIT_ASSERT_EQ(test, fake_l0_add_device(fbb->fl0, "vbd", fbb->id, fbb->be), 0);
}

/*
 * L0's toolstack restoring the machine in a new domain, @domid: a new
 * blkback, whose directory names that domain, on the same disk.
 */
void fake_blkback_restore(struct fake_blkback *fbb, domid_t domid)
{
	fake_blkback_release(fbb);
	fake_blkback_publish(fbb, domid);
}

/*
 * A vbd of @sectors, its backend Initialising with the keys blkback
 * writes at probe and at connect (a test may change them before).
 */
struct fake_blkback *fake_blkback_create(struct fake_l0 *fl0, u32 id, u64 sectors)
{
	struct kunit *test = fl0->test;
	struct fake_blkback *fbb = kunit_kzalloc(test, sizeof(*fbb), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fbb);
	fbb->test = test;
	fbb->fl0 = fl0;
	fbb->id = id;
	fbb->sectors = sectors;
	mutex_init(&fbb->lock);
	INIT_WORK(&fbb->work, fake_blkback_work);
	snprintf(fbb->fe, sizeof(fbb->fe), "device/vbd/%u", id);
	fbb->disk = vzalloc(sectors << SECTOR_SHIFT);
	KUNIT_ASSERT_NOT_NULL(test, fbb->disk);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, fake_blkback_init,
							 fake_blkback_free, GFP_KERNEL, fbb));
	fake_blkback_publish(fbb, 7);
	return fbb;
}
