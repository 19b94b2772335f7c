// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_blk, the real driver, against the fake blkback on the fake L0:
 * the handshake, reads and writes direct and indirect, flush, FUA and
 * discard, persistent grants and bounce pages, requests in flight across
 * a backend restart and an unplug, and every kind of hostile response.
 */

#include <kunit/test.h>
#include <linux/blkdev.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "blanket_xenbus/bus.h"
#include "fake_blkback.h"
#include "sysfs.h"

#define BLK_ID		51712
#define BLK_SECTORS	4096		/* 2 MiB */
#define BLK_TIMEOUT	(10 * HZ)

struct blk_fixture {
	struct fake_l0 *fl0;
	struct fake_blkback *fbb;
	struct blanket_blk *info;
};

/* One bio on the whole disk, its buffer kunit's. */
struct blk_io {
	struct bio *bio;
	struct completion done;
	blk_status_t status;
	u8 *buf;
};

static struct blk_fixture *blk_fixture(struct kunit *test)
{
	struct blk_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, fx);
	fx->fl0 = fake_l0_start(test);
	return fx;
}

static void blk_bind(struct kunit *test, struct blk_fixture *fx)
{
	struct blanket_device *bdev = blanket_bus_find_device("vbd", BLK_ID);

	KUNIT_ASSERT_NOT_NULL(test, bdev);
	/* The device lives until the fake L0 stops enumerating. */
	fx->info = dev_get_drvdata(&bdev->dev);
	put_device(&bdev->dev);
	KUNIT_ASSERT_NOT_NULL(test, fx->info);
}

/* Up to probe: the driver bound, the backend Initialising. */
static struct blk_fixture *blk_start(struct kunit *test)
{
	struct blk_fixture *fx = blk_fixture(test);

	fx->fbb = fake_blkback_create(fx->fl0, BLK_ID, BLK_SECTORS);
	fake_l0_enumerate(fx->fl0);
	blk_bind(test, fx);
	return fx;
}

static void blk_connect(struct kunit *test, struct blk_fixture *fx)
{
	fake_blkback_state(fx->fbb, XenbusStateInitWait);
	fake_blkback_connect(fx->fbb);
	KUNIT_ASSERT_TRUE(test, fx->info->connected);
	KUNIT_ASSERT_NOT_NULL(test, fx->info->disk);
	/* The disk is added, and its partitions scanned, by a work item. */
	flush_work(&fx->info->add_work);
	KUNIT_ASSERT_TRUE(test, fx->info->disk_added);
	/* Forget the partition scan's reads. */
	mutex_lock(&fx->fbb->lock);
	fx->fbb->nr_log = 0;
	mutex_unlock(&fx->fbb->lock);
}

static void blk_io_end(struct bio *bio)
{
	struct blk_io *io = bio->bi_private;

	io->status = bio->bi_status;
	complete(&io->done);
}

static struct blk_io *blk_submit(struct kunit *test, struct blk_fixture *fx,
				 blk_opf_t opf, sector_t sector, unsigned int len,
				 int fill)
{
	struct blk_io *io = kunit_kzalloc(test, sizeof(*io), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, io);
	init_completion(&io->done);
	if (len) {
		/* Page-aligned and contiguous: kmalloc of a page or more. */
		io->buf = kunit_kmalloc(test, max_t(unsigned int, len, PAGE_SIZE),
					GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, io->buf);
		memset(io->buf, fill, len);
	}
	io->bio = bio_alloc(fx->info->disk->part0, 1, opf, GFP_KERNEL);
	io->bio->bi_iter.bi_sector = sector;
	io->bio->bi_end_io = blk_io_end;
	io->bio->bi_private = io;
	if (len)
		KUNIT_ASSERT_EQ(test, bio_add_page(io->bio, virt_to_page(io->buf), len, 0),
				(int)len);
	submit_bio(io->bio);
	return io;
}

static int blk_wait(struct kunit *test, struct blk_io *io)
{
	KUNIT_ASSERT_GT_MSG(test, wait_for_completion_timeout(&io->done, BLK_TIMEOUT), 0,
			    "bio never completed");
	bio_put(io->bio);
	return blk_status_to_errno(io->status);
}

static int blk_rw(struct kunit *test, struct blk_fixture *fx, blk_opf_t opf,
		  sector_t sector, unsigned int len, int fill, u8 **buf)
{
	struct blk_io *io = blk_submit(test, fx, opf, sector, len, fill);

	if (buf)
		*buf = io->buf;
	return blk_wait(test, io);
}

static bool blk_disk_is(struct blk_fixture *fx, sector_t sector, unsigned int len, u8 v)
{
	return !memchr_inv(fx->fbb->disk + (sector << SECTOR_SHIFT), v, len);
}

static void blk_wait_pending(struct kunit *test, struct fake_blkback *fbb,
			     unsigned int n)
{
	unsigned int i;

	for (i = 0; i < 500 && fake_blkback_pending(fbb) < n; i++)
		msleep(20);
	KUNIT_ASSERT_EQ(test, fake_blkback_pending(fbb), n);
}

static char *blk_fe_key(struct blk_fixture *fx, const char *node)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", fx->fbb->fe, node);
	return fake_xenstored_get(fx->fl0->xsd, path);
}

static void blk_expect_key(struct kunit *test, struct blk_fixture *fx,
			   const char *node, const char *value)
{
	char *v = blk_fe_key(fx, node);

	KUNIT_EXPECT_STREQ_MSG(test, v ?: "(none)", value, "frontend key %s", node);
	kfree(v);
}

/* What L0's toolstack writes in the frontend's directory. */
static void blk_set_fe_key(struct kunit *test, struct blk_fixture *fx,
			   const char *node, const char *value)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%s", fx->fbb->fe, node);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->fl0->xsd, path, value), 0);
}

/* What udev reads to link the disk to its L0 vbd. */
static void blk_expect_vbd_attr(struct kunit *test, struct blk_fixture *fx,
				const char *want)
{
	char path[64], buf[16] = {};
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/block/%s/blanket_vbd",
		 fx->info->disk->disk_name);
	f = test_sysfs_open(path, O_RDONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "%s: %ld", path, PTR_ERR(f));
	n = kernel_read(f, buf, sizeof(buf) - 1, &pos);
	filp_close(f, NULL);
	KUNIT_EXPECT_EQ(test, n, (ssize_t)strlen(want));
	KUNIT_EXPECT_STREQ(test, buf, want);
}

/* Multi-page rings and several queues: negotiated, advertised, used. */
static void blk_negotiate_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct request_queue *q;
	char *v;

	fx->info->params.max_ring_order = 1;
	fx->info->params.max_queues = 2;
	blk_connect(test, fx);

	blk_expect_key(test, fx, "ring-page-order", "1");
	blk_expect_key(test, fx, "multi-queue-num-queues", "2");
	blk_expect_key(test, fx, "feature-persistent", "1");
	v = blk_fe_key(fx, "queue-1/ring-ref1");
	KUNIT_EXPECT_NOT_NULL(test, v);
	kfree(v);
	v = blk_fe_key(fx, "queue-1/event-channel");
	KUNIT_EXPECT_NOT_NULL(test, v);
	kfree(v);
	v = blk_fe_key(fx, "ring-ref");
	KUNIT_EXPECT_NULL(test, v);
	kfree(v);
	blk_expect_key(test, fx, "state", "4");

	KUNIT_EXPECT_EQ(test, fx->fbb->nr_queues, 2U);
	KUNIT_EXPECT_EQ(test, fx->info->queues[0].ring_size, blanket_blkif_ring_size(1));
	/* Hardware queues beyond the CPUs are not made; the rings still are. */
	KUNIT_EXPECT_EQ(test, fx->info->tag_set.nr_hw_queues, min(2U, nr_cpu_ids));
	KUNIT_EXPECT_EQ(test, strncmp(fx->info->disk->disk_name, "bvd", 3), 0);
	blk_expect_vbd_attr(test, fx, "51712\n");
	KUNIT_EXPECT_EQ(test, get_capacity(fx->info->disk), (sector_t)BLK_SECTORS);
	KUNIT_EXPECT_FALSE(test, get_disk_ro(fx->info->disk));
	q = fx->info->disk->queue;
	KUNIT_EXPECT_EQ(test, queue_max_segments(q), 32);
	KUNIT_EXPECT_EQ(test, queue_max_segment_size(q), (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, queue_logical_block_size(q), 512U);
	KUNIT_EXPECT_TRUE(test, bdev_write_cache(fx->info->disk->part0));
	KUNIT_EXPECT_FALSE(test, bdev_fua(fx->info->disk->part0));
	KUNIT_EXPECT_EQ(test, q->limits.discard_granularity, 4096U);
	KUNIT_EXPECT_GT(test, q->limits.max_secure_erase_sectors, 0U);

	/* I/O on the two-page rings. */
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x11, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x11));
}

/*
 * Blkback comes back offering one single-page ring: the keys the first
 * connection wrote for its two two-page rings are gone, or blkback would
 * map rings whose grants are no more.
 */
static void blk_renegotiate_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	fx->info->params.max_ring_order = 1;
	fx->info->params.max_queues = 2;
	blk_connect(test, fx);
	blk_expect_key(test, fx, "ring-page-order", "1");
	blk_expect_key(test, fx, "multi-queue-num-queues", "2");

	fake_blkback_disconnect(fx->fbb);
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "multi-queue-max-queues", "1") ?:
			fake_blkback_set(fx->fbb, "max-ring-page-order", "0"), 0);
	blk_connect(test, fx);
	blk_expect_key(test, fx, "ring-page-order", "(none)");
	blk_expect_key(test, fx, "multi-queue-num-queues", "(none)");
	KUNIT_EXPECT_EQ(test, fx->fbb->nr_queues, 1U);
	KUNIT_EXPECT_EQ(test, fx->fbb->ring_order, 0U);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 200, 4096, 0x2e, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 200, 4096, 0x2e));
}

/* What the backend's keys say about the disk, and a resize. */
static void blk_disk_keys_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct request_queue *q;

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "mode", "r") ?:
			fake_blkback_set(fx->fbb, "sector-size", "4096") ?:
			fake_blkback_set(fx->fbb, "feature-flush-cache", "0") ?:
			fake_blkback_set(fx->fbb, "feature-discard", "0") ?:
			fake_blkback_set(fx->fbb, "feature-max-indirect-segments", "0"), 0);
	blk_connect(test, fx);
	q = fx->info->disk->queue;
	KUNIT_EXPECT_TRUE(test, get_disk_ro(fx->info->disk));
	KUNIT_EXPECT_EQ(test, queue_logical_block_size(q), 4096U);
	KUNIT_EXPECT_EQ(test, queue_max_segments(q), BLKIF_MAX_SEGMENTS_PER_REQUEST);
	KUNIT_EXPECT_FALSE(test, bdev_write_cache(fx->info->disk->part0));
	KUNIT_EXPECT_EQ(test, q->limits.max_discard_sectors, 0U);

	/* L0 grows the vbd: the disk follows without a reconnect. */
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "sectors", "8192"), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_EQ(test, get_capacity(fx->info->disk), (sector_t)8192);
}

static const char *const blk_bad_sizes[] = {
	"8193",			/* not whole 4096-byte sectors */
	"12x4",
	"-8",
	"18446744073709551616",	/* 2^64 */
	"18014398509481984",	/* 2^54: too many bytes for a loff_t */
	"",
};

static void blk_bad_size_desc(const char *const *size, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "sectors=\"%s\"", *size);
}

KUNIT_ARRAY_PARAM(blk_bad_size, blk_bad_sizes, blk_bad_size_desc);

/*
 * Blkback resizes the disk to a size that describes none: the disk keeps
 * the size it had, and its I/O fails from then on.
 */
static void blk_bad_resize_test(struct kunit *test)
{
	const char *const *size = test->param_value;
	struct blk_fixture *fx = blk_start(test);

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "sector-size", "4096"), 0);
	blk_connect(test, fx);
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "sectors", *size), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_EQ(test, get_capacity(fx->info->disk), (sector_t)BLK_SECTORS);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);
}

/* A backend that describes no sane disk gets no disk. */
static void blk_bad_backend_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "sector-size", "1000"), 0);
	fake_blkback_state(fx->fbb, XenbusStateInitWait);
	fake_blkback_connect(fx->fbb);
	KUNIT_EXPECT_FALSE(test, fx->info->connected);
	KUNIT_EXPECT_NULL(test, fx->info->disk);
	blk_expect_key(test, fx, "state", "3");
}

/*
 * The backend comes back with another sector size, a write waiting to
 * be sent again: refused. The device is failed, the write with it, and
 * nothing is sent in the new unit.
 */
static void blk_sector_size_change_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct blk_io *io;

	blk_connect(test, fx);
	fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 40, 4096, 0x3e);
	blk_wait_pending(test, fbb, 1);
	fake_blkback_disconnect(fbb);

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "sector-size", "4096"), 0);
	fbb->hold = false;
	fbb->nr_log = 0;
	fake_blkback_state(fbb, XenbusStateInitWait);
	fake_blkback_connect(fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), -EIO);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_FALSE(test, fx->info->connected);
	KUNIT_EXPECT_EQ(test, fbb->nr_log, 0U);
	KUNIT_EXPECT_EQ(test, queue_logical_block_size(fx->info->disk->queue), 512U);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);
}

/* Direct requests: no persistent grants, the bio's own pages granted. */
static void blk_direct_rw_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	u64 grants;
	u8 *buf;

	blk_connect(test, fx);
	grants = fake_l0_grants_in_use(fx->fl0);
	KUNIT_EXPECT_FALSE(test, fx->info->cfg.persistent);

	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 8, 8192, 0x5a, &buf), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 8, 8192, 0x5a));
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 1U);
	KUNIT_EXPECT_EQ(test, fbb->log[0].op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_FALSE(test, fbb->log[0].indirect);
	KUNIT_EXPECT_EQ(test, fbb->log[0].nr_segs, 2);
	KUNIT_EXPECT_EQ(test, fbb->log[0].sector, 8ULL);
	/* Trusted: the backend was given the bio's page itself. */
	KUNIT_EXPECT_EQ(test, fbb->log[0].pfn0, page_to_pfn(virt_to_page(buf)));

	memset(fbb->disk + 16 * SECTOR_SIZE, 0xc3, 4096);
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 16, 4096, 0, &buf), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0xc3, 4096));
	KUNIT_EXPECT_EQ(test, fbb->log[1].op, BLKIF_OP_READ);

	/* Every per-request grant was ended and freed. */
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);
}

/* More requests than the ring holds: the rest wait, none is lost. */
static void blk_ring_full_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct blk_io *io[40];
	unsigned int i;

	blk_connect(test, fx);
	KUNIT_ASSERT_EQ(test, fx->info->queues[0].ring_size, 32U);
	fx->fbb->hold = true;
	for (i = 0; i < ARRAY_SIZE(io); i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, i * 16, 4096, i);
	blk_wait_pending(test, fx->fbb, 32);
	fx->fbb->hold = false;
	fake_blkback_serve(fx->fbb);
	for (i = 0; i < ARRAY_SIZE(io); i++) {
		KUNIT_EXPECT_EQ(test, blk_wait(test, io[i]), 0);
		KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, i * 16, 4096, i));
	}
	KUNIT_EXPECT_EQ(test, fx->fbb->nr_log, 40U);
}

/* Large requests go indirect; none exceeds the negotiated segments. */
static void blk_indirect_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	unsigned int i, segs = 0;
	u8 *buf;

	blk_connect(test, fx);
	KUNIT_ASSERT_TRUE(test, fx->info->cfg.indirect);
	KUNIT_ASSERT_EQ(test, fx->info->cfg.max_segs, 32U);

	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 32 * PAGE_SIZE, 0x77, NULL), 0);
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 1U);
	KUNIT_EXPECT_TRUE(test, fbb->log[0].indirect);
	KUNIT_EXPECT_EQ(test, fbb->log[0].op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, fbb->log[0].nr_segs, 32);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 32 * PAGE_SIZE, 0x77));

	/* One page more than a request holds: split, never oversized. */
	fbb->nr_log = 0;
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 512, 33 * PAGE_SIZE, 0x78,
				     NULL), 0);
	KUNIT_EXPECT_GE(test, fbb->nr_log, 2U);
	for (i = 0; i < fbb->nr_log; i++) {
		KUNIT_EXPECT_LE(test, fbb->log[i].nr_segs, 32);
		segs += fbb->log[i].nr_segs;
	}
	KUNIT_EXPECT_EQ(test, segs, 33U);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 512, 33 * PAGE_SIZE, 0x78));

	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 512, 20 * PAGE_SIZE, 0, &buf), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x78, 20 * PAGE_SIZE));
	KUNIT_EXPECT_TRUE(test, fbb->log[fbb->nr_log - 1].indirect);
	KUNIT_EXPECT_EQ(test, fbb->log[fbb->nr_log - 1].op, BLKIF_OP_READ);
}

/* PREFLUSH and FUA become cache flushes around the write, in order. */
static void blk_flush_fua_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;

	blk_connect(test, fx);
	KUNIT_ASSERT_EQ(test, blkdev_issue_flush(fx->info->disk->part0), 0);
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 1U);
	KUNIT_EXPECT_EQ(test, fbb->log[0].op, BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, fbb->log[0].nr_segs, 0);

	fbb->nr_log = 0;
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE | REQ_PREFLUSH | REQ_FUA, 64,
				     4096, 0x3c, NULL), 0);
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 3U);
	KUNIT_EXPECT_EQ(test, fbb->log[0].op, BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, fbb->log[1].op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, fbb->log[2].op, BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 64, 4096, 0x3c));
}

/* A backend with only the barrier flushes by barrier. */
static void blk_barrier_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "feature-flush-cache", "0") ?:
			fake_blkback_set(fx->fbb, "feature-barrier", "1"), 0);
	blk_connect(test, fx);
	KUNIT_ASSERT_EQ(test, blkdev_issue_flush(fx->info->disk->part0), 0);
	KUNIT_ASSERT_EQ(test, fx->fbb->nr_log, 1U);
	KUNIT_EXPECT_EQ(test, fx->fbb->log[0].op, BLKIF_OP_WRITE_BARRIER);
}

static void blk_discard_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct block_device *part0;

	blk_connect(test, fx);
	part0 = fx->info->disk->part0;
	memset(fbb->disk, 0xee, BLK_SECTORS << SECTOR_SHIFT);
	KUNIT_ASSERT_EQ(test, blkdev_issue_discard(part0, 8, 16, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 1U);
	KUNIT_EXPECT_EQ(test, fbb->log[0].op, BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, fbb->log[0].sector, 8ULL);
	KUNIT_EXPECT_EQ(test, fbb->log[0].nr_sectors, 16ULL);
	KUNIT_EXPECT_EQ(test, fbb->log[0].discard_flag, 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 8, 16 * SECTOR_SIZE, 0));
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 24, SECTOR_SIZE, 0xee));

	KUNIT_ASSERT_EQ(test, blkdev_issue_secure_erase(part0, 64, 8, GFP_KERNEL), 0);
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 2U);
	KUNIT_EXPECT_EQ(test, fbb->log[1].op, BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, fbb->log[1].discard_flag, BLKIF_DISCARD_SECURE);
}

static u64 blk_reuse(struct blanket_blk *info)
{
	u64 n = 0;
	unsigned int i;

	for (i = 0; i < info->nr_queues; i++)
		n += info->queues[i].persistent_reuse;
	return n;
}

/* Persistent grants: granted once at connect, reused by every request. */
static void blk_persistent_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	u64 grants, reuse;
	unsigned int i;
	u8 *buf;

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "feature-persistent", "1"), 0);
	blk_connect(test, fx);
	KUNIT_ASSERT_TRUE(test, fx->info->cfg.persistent);
	grants = fake_l0_grants_in_use(fx->fl0);
	reuse = blk_reuse(fx->info);

	for (i = 0; i < 8; i++) {
		KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, i * 8, 4096, i, &buf), 0);
		/* The backend got our page, not the bio's: data was copied. */
		KUNIT_EXPECT_NE(test, fbb->log[fbb->nr_log - 1].pfn0,
				page_to_pfn(virt_to_page(buf)));
		KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, i * 8, 4096, 0xff, &buf), 0);
		KUNIT_EXPECT_FALSE(test, memchr_inv(buf, i, 4096));
	}
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);
	KUNIT_EXPECT_EQ(test, blk_reuse(fx->info) - reuse, 16ULL);
	/* A large read needs its indirect page: persistent as well. */
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 16 * PAGE_SIZE, 0xff, &buf), 0);
	KUNIT_EXPECT_TRUE(test, fbb->log[fbb->nr_log - 1].indirect);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf + 7 * PAGE_SIZE, 7, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);
}

/* trusted=0: the backend is only ever granted our own bounce pages. */
static void blk_bounce_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	u64 grants;
	u8 *buf;

	test_param_set(test, "blanket_blk", "trusted", "0");
	blk_connect(test, fx);
	KUNIT_ASSERT_FALSE(test, fx->info->trusted);
	KUNIT_ASSERT_FALSE(test, fx->info->cfg.persistent);
	grants = fake_l0_grants_in_use(fx->fl0);
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 40, 3 * 4096, 0x42, &buf), 0);
	KUNIT_EXPECT_NE(test, fbb->log[0].pfn0, page_to_pfn(virt_to_page(buf)));
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 40, 3 * 4096, 0x42));
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 40, 3 * 4096, 0, &buf), 0);
	KUNIT_EXPECT_NE(test, fbb->log[1].pfn0, page_to_pfn(virt_to_page(buf)));
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x42, 3 * 4096));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);
}

/*
 * trusted and feature_persistent, written at runtime, change nothing in
 * a connection and take effect at the next one: its rings, its slots and
 * the feature-persistent key it writes.
 */
static void blk_runtime_params_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	u8 *buf;

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "feature-persistent", "1"), 0);
	blk_connect(test, fx);
	KUNIT_EXPECT_TRUE(test, fx->info->trusted);
	KUNIT_EXPECT_TRUE(test, fx->info->cfg.persistent);
	blk_expect_key(test, fx, "feature-persistent", "1");

	test_param_set(test, "blanket_blk", "feature_persistent", "0");
	test_param_set(test, "blanket_blk", "trusted", "0");
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 8, 4096, 0x5a, NULL), 0);
	KUNIT_EXPECT_TRUE(test, fx->info->trusted);
	KUNIT_EXPECT_TRUE(test, fx->info->cfg.persistent);

	fake_blkback_disconnect(fx->fbb);
	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, fx->info->trusted);
	KUNIT_EXPECT_FALSE(test, fx->info->cfg.persistent);
	blk_expect_key(test, fx, "feature-persistent", "0");
	KUNIT_ASSERT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 8, 4096, 0, &buf), 0);
	KUNIT_EXPECT_FALSE(test, memchr_inv(buf, 0x5a, 4096));
	/* Untrusted: blkback was granted a bounce page, not the request's. */
	KUNIT_EXPECT_NE(test, fx->fbb->log[fx->fbb->nr_log - 1].pfn0,
			page_to_pfn(virt_to_page(buf)));
}

/*
 * The "trusted" key L0 writes in our directory: 0 is untrusted, 1 leaves
 * it to the parameter, and a malformed one is no 1. Each connection
 * reads it anew.
 */
static void blk_trusted_key_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blk_set_fe_key(test, fx, "trusted", "yes");
	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, fx->info->trusted);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x21, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x21));

	blk_set_fe_key(test, fx, "trusted", "1");
	fake_blkback_disconnect(fx->fbb);
	blk_connect(test, fx);
	KUNIT_EXPECT_TRUE(test, fx->info->trusted);

	blk_set_fe_key(test, fx, "trusted", "0");
	fake_blkback_disconnect(fx->fbb);
	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, fx->info->trusted);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x22, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x22));
}

/* Grants ended while the backend mapped them, freed once it lets go. */
static bool blk_wait_undeferred(struct fake_l0 *fl0)
{
	unsigned int i;

	for (i = 0; i < 100 && fake_l0_grants_deferred(fl0); i++)
		msleep(50);
	return !fake_l0_grants_deferred(fl0);
}

/*
 * Granting a slot's pages for the connection fails part way, and the
 * backend has guessed and mapped one granted before: that page is not
 * freed under it, but waits with the grant layer until it lets go.
 */
static void blk_persistent_grant_fail_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	grant_ref_t ref;

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "feature-persistent", "1"), 0);
	fake_blkback_state(fx->fbb, XenbusStateInitWait);
	/* The first slot's third page fails; the second is mapped. */
	fake_l0_trap_nth_grant(fx->fl0, 3, &ref);
	fake_blkback_connect(fx->fbb);
	KUNIT_EXPECT_FALSE(test, fx->info->connected);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 1ULL);
	fake_l0_grant_unmap(fx->fl0, ref, false);
	KUNIT_EXPECT_TRUE(test, blk_wait_undeferred(fx->fl0));
}

/*
 * trusted=0: a bounce page's grant fails while the backend maps the one
 * granted just before it, for a request not yet sent. The request fails,
 * the device is broken, the mapped page waits for the backend, and the
 * slot that lost it is never handed out again.
 */
static void blk_bounce_grant_fail_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct blanket_blk_slot *slot;
	grant_ref_t ref;

	blk_set_fe_key(test, fx, "trusted", "0");
	fx->info->params.max_queues = 1;
	blk_connect(test, fx);
	KUNIT_ASSERT_FALSE(test, fx->info->trusted);
	slot = &fx->info->queues[0].slots[0];
	fake_l0_trap_grant(fx->fl0, slot->pages[1], slot->pages[0], &ref);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 2 * PAGE_SIZE, 0x31, NULL),
			-EIO);
	KUNIT_EXPECT_EQ(test, fx->fbb->nr_log, 0U);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_TRUE(test, slot->lost);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 1ULL);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, PAGE_SIZE, 0x32, NULL), -EIO);
	fake_l0_grant_unmap(fx->fl0, ref, false);
	KUNIT_EXPECT_TRUE(test, blk_wait_undeferred(fx->fl0));
}

/*
 * Blkback restarts with writes and a read in flight: none is lost, none
 * completes before the new backend has done it.
 */
static void blk_requeue_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct blk_io *io[4];
	unsigned int i;

	blk_connect(test, fx);
	memset(fbb->disk + 512 * SECTOR_SIZE, 0x99, 4096);
	fbb->hold = true;
	/* Apart on the disk, so that the block layer merges none of them. */
	for (i = 0; i < 3; i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, 100 + i * 16, 4096, 0xa0 + i);
	io[3] = blk_submit(test, fx, REQ_OP_READ, 512, 4096, 0);
	blk_wait_pending(test, fbb, 4);

	fake_blkback_disconnect(fbb);
	/* Closed, then Initialising: blkback is asked to start over. */
	blk_expect_key(test, fx, "state", "1");
	msleep(50);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE(test, completion_done(&io[i]->done));

	fbb->hold = false;
	fbb->nr_log = 0;
	blk_connect(test, fx);
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, blk_wait(test, io[i]), 0);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 100 + i * 16, 4096, 0xa0 + i));
	KUNIT_EXPECT_FALSE(test, memchr_inv(io[3]->buf, 0x99, 4096));

	/* And the new connection serves new I/O. */
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 200, 4096, 0x1f, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 200, 4096, 0x1f));
}

/*
 * Blkback answers a later request before an earlier one, then goes away
 * (trusted=0: the backend sees only bounce pages). Every request still
 * in flight is taken back with its grants and sent again to the next
 * backend, in the order it was first sent; none is lost.
 */
static void blk_requeue_out_of_order_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	static const sector_t sector[] = { 100, 116, 132, 148 };
	struct blk_io *io[ARRAY_SIZE(sector)];
	unsigned int i;

	blk_set_fe_key(test, fx, "trusted", "0");
	fx->info->params.max_queues = 1;
	blk_connect(test, fx);
	KUNIT_ASSERT_FALSE(test, fx->info->trusted);
	fbb->hold = true;
	for (i = 0; i < 2; i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, sector[i], 4096, 0xb0 + i);
	blk_wait_pending(test, fbb, 2);
	/* The second is answered, the first stays with the backend. */
	fake_blkback_serve_newest(fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io[1]), 0);
	for (i = 2; i < 4; i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, sector[i], 4096, 0xb0 + i);
	blk_wait_pending(test, fbb, 2);

	fake_blkback_disconnect(fbb);
	/* Taken back: no grant of theirs is left, no bounce page granted. */
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
	fbb->hold = false;
	fbb->nr_log = 0;
	fake_blkback_state(fbb, XenbusStateInitWait);
	fake_blkback_connect(fbb);
	for (i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		KUNIT_EXPECT_EQ(test, blk_wait(test, io[i]), 0);
		KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, sector[i], 4096, 0xb0 + i));
	}
	KUNIT_ASSERT_EQ(test, fbb->nr_log, 3U);
	KUNIT_EXPECT_EQ(test, fbb->log[0].sector, (u64)sector[0]);
	KUNIT_EXPECT_EQ(test, fbb->log[1].sector, (u64)sector[2]);
	KUNIT_EXPECT_EQ(test, fbb->log[2].sector, (u64)sector[3]);
}

/*
 * Blkback unbound and bound again with requests on the ring: it attaches
 * to the same rings and serves them where they stand. Nothing is torn
 * down or sent twice, no grant changes hands, and new I/O goes on.
 */
static void blk_rebind_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct blanket_blk_queue *queues;
	struct blk_io *io[3];
	unsigned int i;
	u64 grants;

	blk_connect(test, fx);
	queues = fx->info->queues;
	grants = fake_l0_grants_in_use(fx->fl0);
	fbb->hold = true;
	for (i = 0; i < 3; i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, 300 + i * 16, 4096, 0x70 + i);
	blk_wait_pending(test, fbb, 3);

	fbb->hold = false;
	fake_blkback_rebind(fbb);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_EQ(test, blk_wait(test, io[i]), 0);
		KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 300 + i * 16, 4096, 0x70 + i));
	}
	KUNIT_EXPECT_EQ(test, fbb->nr_log, 3U);
	KUNIT_EXPECT_PTR_EQ(test, fx->info->queues, queues);
	blk_expect_key(test, fx, "state", "4");
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 400, 4096, 0x7f, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 400, 4096, 0x7f));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);
}

/*
 * Blkback closing in order: it says Closing, we say Closed, it answers
 * what it had in flight and only then unmaps the rings. Nothing is
 * requeued, and no ring page is left behind.
 */
static void blk_closing_drain_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct blk_io *io;

	blk_connect(test, fx);
	fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 24, 4096, 0x4d);
	blk_wait_pending(test, fbb, 1);

	fake_blkback_state(fbb, XenbusStateClosing);
	blk_expect_key(test, fx, "state", "6");
	KUNIT_EXPECT_FALSE(test, completion_done(&io->done));
	KUNIT_EXPECT_NOT_NULL(test, fx->info->queues);

	fbb->hold = false;
	fake_blkback_serve(fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 24, 4096, 0x4d));
	KUNIT_EXPECT_EQ(test, fbb->nr_log, 1U);

	fake_blkback_disconnect(fbb);
	KUNIT_EXPECT_NULL(test, fx->info->queues);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
	blk_expect_key(test, fx, "state", "1");

	fbb->nr_log = 0;
	blk_connect(test, fx);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 24, 4096, 0x4e, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 24, 4096, 0x4e));
}

/*
 * The backend that comes back takes smaller requests than the one that
 * went: a large write in flight is sent again in pieces, none lost.
 */
static void blk_requeue_shrink_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	unsigned int i, segs = 0;
	struct blk_io *io;

	blk_connect(test, fx);
	fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 256, 32 * PAGE_SIZE, 0x5e);
	blk_wait_pending(test, fbb, 1);
	fake_blkback_disconnect(fbb);

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "feature-max-indirect-segments", "0"), 0);
	fbb->hold = false;
	fbb->nr_log = 0;
	/* Not blk_connect(): its log reset would race with the pieces. */
	fake_blkback_state(fbb, XenbusStateInitWait);
	fake_blkback_connect(fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 256, 32 * PAGE_SIZE, 0x5e));
	KUNIT_EXPECT_EQ(test, fbb->nr_log, 3U);
	for (i = 0; i < fbb->nr_log; i++) {
		KUNIT_EXPECT_FALSE(test, fbb->log[i].indirect);
		KUNIT_EXPECT_EQ(test, fbb->log[i].sector, 256ULL + segs * 8);
		segs += fbb->log[i].nr_segs;
	}
	KUNIT_EXPECT_EQ(test, segs, 32U);
	KUNIT_EXPECT_EQ(test, queue_max_segments(fx->info->disk->queue),
			BLKIF_MAX_SEGMENTS_PER_REQUEST);
}

/* A vbd that L0 adds while we are running gets its disk all the same. */
static void blk_hotplug_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_fixture(test);

	fake_l0_enumerate(fx->fl0);
	KUNIT_EXPECT_NULL(test, blanket_bus_find_device("vbd", BLK_ID));
	fx->fbb = fake_blkback_create(fx->fl0, BLK_ID, BLK_SECTORS);
	blk_bind(test, fx);
	blk_connect(test, fx);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x66, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x66));
}

static bool blk_sysfs_exists(const char *path)
{
	struct file *f = test_sysfs_open(path, O_RDONLY);

	if (IS_ERR(f))
		return false;
	filp_close(f, NULL);
	return true;
}

/*
 * Unplugged with I/O in flight: it fails, every grant comes back, and
 * the disk is gone with its device.
 */
static void blk_unplug_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct blk_io *io[2];
	char path[48];
	unsigned int i;

	blk_connect(test, fx);
	snprintf(path, sizeof(path), "/sys/block/%s/size", fx->info->disk->disk_name);
	KUNIT_ASSERT_TRUE(test, blk_sysfs_exists(path));
	fx->fbb->hold = true;
	for (i = 0; i < 2; i++)
		io[i] = blk_submit(test, fx, REQ_OP_WRITE, i * 16, 4096, 0x10);
	blk_wait_pending(test, fx->fbb, 2);
	/* As L0's toolstack unplugs: offline, Closing, then Closed. */
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fx->fbb, "online", "0"), 0);
	fake_blkback_state(fx->fbb, XenbusStateClosing);
	blk_expect_key(test, fx, "state", "6");
	fake_blkback_disconnect(fx->fbb);
	/* Not asked to start over: the device is going. */
	blk_expect_key(test, fx, "state", "6");
	/* The toolstack removes the device's directory: the bus device goes. */
	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->fl0->xsd, fx->fbb->fe), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_NULL(test, blanket_bus_find_device("vbd", BLK_ID));
	for (i = 0; i < 2; i++)
		KUNIT_EXPECT_EQ(test, blk_wait(test, io[i]), -EIO);
	KUNIT_EXPECT_FALSE(test, blk_sysfs_exists(path));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
}

/*
 * A backend that takes requests and never answers: each fails after the
 * request timeout, and so does the device, rather than hang.
 */
static void blk_timeout_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	fx->info->params.timeout = 1;
	blk_connect(test, fx);
	fx->fbb->hold = true;
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 8, 4096, 0x2b, NULL), -EIO);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 8, 4096, 0, NULL), -EIO);
}

struct blk_connect_work {
	struct work_struct work;
	struct fake_blkback *fbb;
};

static void blk_connect_fn(struct work_struct *work)
{
	fake_blkback_connect(container_of(work, struct blk_connect_work, work)->fbb);
}

/*
 * A backend that says Connected and then answers nothing, not even the
 * partition scan's reads: the xenstore watch thread stays free for every
 * other event (a resize here), and the disk is added once it answers.
 */
static void blk_silent_backend_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct blk_connect_work cw = { .fbb = fx->fbb };
	bool connected, resized = false;
	unsigned int i;

	fx->fbb->hold = true;
	fake_blkback_state(fx->fbb, XenbusStateInitWait);
	/* Its Connected settles xenstore: from a work item, not to hang here. */
	INIT_WORK_ONSTACK(&cw.work, blk_connect_fn);
	schedule_work(&cw.work);
	for (i = 0; i < 100 && !READ_ONCE(fx->info->connected); i++)
		msleep(20);
	connected = READ_ONCE(fx->info->connected);
	if (connected) {
		KUNIT_EXPECT_EQ(test, fake_blkback_set(fx->fbb, "sectors", "8192"), 0);
		fake_xenstored_settle(fx->fl0->xsd);
		resized = get_capacity(fx->info->disk) == 8192;
	}
	fx->fbb->hold = false;
	fake_blkback_serve(fx->fbb);
	flush_work(&cw.work);
	destroy_work_on_stack(&cw.work);
	KUNIT_EXPECT_TRUE(test, connected);
	KUNIT_EXPECT_TRUE(test, resized);
	flush_work(&fx->info->add_work);
	KUNIT_EXPECT_TRUE(test, fx->info->disk_added);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x6c, NULL), 0);
}

static const enum fake_blkback_fault blk_faults[] = {
	FAKE_BLKBACK_BAD_ID, FAKE_BLKBACK_IDLE_ID, FAKE_BLKBACK_WRONG_OP,
	FAKE_BLKBACK_BAD_STATUS, FAKE_BLKBACK_BAD_PROD, FAKE_BLKBACK_TWICE,
	FAKE_BLKBACK_KEEP_MAPPED,
};

static void blk_fault_desc(const enum fake_blkback_fault *f, char *desc)
{
	static const char *const names[] = {
		[FAKE_BLKBACK_BAD_ID] = "id beyond the ring",
		[FAKE_BLKBACK_IDLE_ID] = "id of no request",
		[FAKE_BLKBACK_WRONG_OP] = "wrong operation",
		[FAKE_BLKBACK_BAD_STATUS] = "undefined status",
		[FAKE_BLKBACK_BAD_PROD] = "producer past the requests",
		[FAKE_BLKBACK_TWICE] = "an answered request answered again",
		[FAKE_BLKBACK_KEEP_MAPPED] = "data still mapped after the answer",
	};

	strscpy(desc, names[*f], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(blk_fault, blk_faults, blk_fault_desc);

/*
 * A hostile response marks the device broken: its I/O fails with an
 * error, never a crash or a hang, and nothing leaks when it goes away.
 */
static void blk_hostile_test(struct kunit *test)
{
	const enum fake_blkback_fault *fault = test->param_value;
	struct blk_fixture *fx = blk_start(test);
	struct blk_io *io[2];
	unsigned int i, failed = 0;

	blk_connect(test, fx);
	/* Two in flight, so that "a request of another id" exists. */
	fx->fbb->hold = true;
	io[0] = blk_submit(test, fx, REQ_OP_READ, 0, 4096, 0);
	io[1] = blk_submit(test, fx, REQ_OP_WRITE, 16, 4096, 1);
	blk_wait_pending(test, fx->fbb, 2);
	fx->fbb->fault = *fault;
	fx->fbb->hold = false;
	fake_blkback_serve(fx->fbb);

	/* A duplicate follows one valid answer; anything else fails both. */
	for (i = 0; i < 2; i++)
		failed += blk_wait(test, io[i]) == -EIO;
	KUNIT_EXPECT_EQ(test, failed, *fault == FAKE_BLKBACK_TWICE ? 1U : 2U);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 16, 4096, 0, NULL), -EIO);

	fake_blkback_disconnect(fx->fbb);
	fake_l0_stop_enumerating(fx->fl0);
	/* A grant L0 held on to is ended once it lets go, not before. */
	for (i = 0; i < 100 && fake_l0_grants_in_use(fx->fl0); i++)
		msleep(50);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
}

/* The device broken by a hostile answer, its I/O failing. */
static void blk_break(struct kunit *test, struct blk_fixture *fx)
{
	fx->fbb->fault = FAKE_BLKBACK_BAD_STATUS;
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);
	KUNIT_ASSERT_TRUE(test, READ_ONCE(fx->info->broken));
	fx->fbb->fault = FAKE_BLKBACK_NONE;
}

/*
 * L0 fixes its backend and takes it through a full Closed -> InitWait
 * handshake: the device broken before reads it anew and connects, its
 * disk in place. Until then it believed nothing more of the connection
 * that failed, a resize included.
 */
static void blk_broken_restart_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct gendisk *disk;

	blk_connect(test, fx);
	disk = fx->info->disk;
	blk_break(test, fx);
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "sectors", "8192"), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_EQ(test, get_capacity(disk), (sector_t)BLK_SECTORS);

	/* A Connected alone is not a new backend. */
	fake_blkback_state(fbb, XenbusStateConnected);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));

	fake_blkback_state(fbb, XenbusStateClosing);
	blk_expect_key(test, fx, "state", "6");
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);
	fake_blkback_disconnect(fbb);
	blk_expect_key(test, fx, "state", "1");
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);

	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_PTR_EQ(test, fx->info->disk, disk);
	KUNIT_EXPECT_EQ(test, get_capacity(disk), (sector_t)8192);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x47, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x47));
}

/*
 * A broken device unplugged, its backend gone and another there before
 * the bus has seen the device go (L0 plugged the same id again): no
 * restart, so it stays failed and never connects; once the bus sees
 * the device go, the disk goes with it.
 */
static void blk_broken_replug_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	char path[48];

	blk_connect(test, fx);
	snprintf(path, sizeof(path), "/sys/block/%s/size", fx->info->disk->disk_name);
	blk_break(test, fx);
	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "online", "0"), 0);
	fake_blkback_state(fbb, XenbusStateClosing);
	fake_blkback_disconnect(fbb);
	blk_expect_key(test, fx, "state", "6");
	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->fl0->xsd, fbb->be), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	fake_blkback_state(fbb, XenbusStateInitWait);
	blk_expect_key(test, fx, "state", "6");
	KUNIT_EXPECT_NULL(test, fx->info->queues);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_READ, 0, 4096, 0, NULL), -EIO);

	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->fl0->xsd, fbb->fe), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_NULL(test, blanket_bus_find_device("vbd", BLK_ID));
	KUNIT_EXPECT_FALSE(test, blk_sysfs_exists(path));
}

/* An I/O error is the backend's to report: it fails one request only. */
static void blk_io_error_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blk_connect(test, fx);
	fx->fbb->fault = FAKE_BLKBACK_IO_ERROR;
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 1, NULL), -EIO);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->info->broken));
	fx->fbb->fault = FAKE_BLKBACK_NONE;
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 2, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 2));
}

/*
 * A backend that refuses what it offered: the request fails (a flush
 * that did not happen is not reported done) and the disk stops asking.
 */
static void blk_refused_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blk_connect(test, fx);
	fx->fbb->fault = FAKE_BLKBACK_REFUSE;
	KUNIT_EXPECT_EQ(test, blkdev_issue_flush(fx->info->disk->part0), -EOPNOTSUPP);
	KUNIT_EXPECT_FALSE(test, bdev_write_cache(fx->info->disk->part0));
	/* The block layer reports a refused discard as done: it is advisory. */
	KUNIT_EXPECT_EQ(test, blkdev_issue_discard(fx->info->disk->part0, 0, 8, GFP_KERNEL), 0);
	KUNIT_EXPECT_EQ(test, fx->fbb->log[1].op, BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, bdev_max_discard_sectors(fx->info->disk->part0), 0U);
	KUNIT_EXPECT_EQ(test, fx->fbb->nr_log, 2U);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->info->broken));

	/* Without a write cache, a flush is done before it reaches us. */
	KUNIT_EXPECT_EQ(test, blkdev_issue_flush(fx->info->disk->part0), 0);
	KUNIT_EXPECT_EQ(test, fx->fbb->nr_log, 2U);
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x21, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 0, 4096, 0x21));
}

/* Whether our frontend's directory says @state within a few seconds. */
static bool blk_fe_reaches(struct blk_fixture *fx, enum xenbus_state state)
{
	char path[64], value[4];

	snprintf(path, sizeof(path), "%s/state", fx->fbb->fe);
	snprintf(value, sizeof(value), "%d", state);
	return fake_xenstored_reaches(fx->fl0->xsd, path, value);
}

static void blk_be_state(struct kunit *test, struct blk_fixture *fx,
			 enum xenbus_state state)
{
	char value[4];

	/* Not fake_blkback_state(): the frontend holds its lock meanwhile. */
	snprintf(value, sizeof(value), "%d", state);
	KUNIT_EXPECT_EQ(test, fake_blkback_set(fx->fbb, "state", value), 0);
}

/*
 * L0's toolstack has the machine save itself: blkback follows our close,
 * answering what it has in flight once we are Closed; then L0 saves the
 * machine, and restores it or not as fx->fl0 says.
 */
static int blk_save(struct kunit *test, struct blk_fixture *fx)
{
	struct fake_l0_save s;

	fake_l0_save_start(fx->fl0, &s);
	KUNIT_EXPECT_TRUE(test, blk_fe_reaches(fx, XenbusStateClosing));
	blk_be_state(test, fx, XenbusStateClosing);
	KUNIT_EXPECT_TRUE(test, blk_fe_reaches(fx, XenbusStateClosed));
	fx->fbb->hold = false;
	fake_blkback_serve(fx->fbb);
	fake_blkback_release(fx->fbb);
	blk_be_state(test, fx, XenbusStateClosed);
	return fake_l0_save_wait(&s);
}

static void blk_restore_toolstack(struct fake_l0 *fl0, void *ctx)
{
	fake_blkback_restore(ctx, 8);
}

/*
 * The restored domain's blkback comes up: the 4 KiB write of @fill at
 * @sector that waited for it (@io) reaches the disk, still @disk.
 */
static void blk_new_backend_takes(struct kunit *test, struct blk_fixture *fx,
				  struct blk_io *io, sector_t sector, u8 fill,
				  struct gendisk *disk)
{
	fake_blkback_state(fx->fbb, XenbusStateInitWait);
	fake_blkback_connect(fx->fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, sector, 4096, fill));
	KUNIT_EXPECT_PTR_EQ(test, fx->info->disk, disk);
}

/*
 * L0 saves the machine and restores it in a new domain. The write in
 * flight is answered before the save, the one made meanwhile waits, and
 * the disk follows its backend to the directory the new domain's id
 * names: the handshake, the write that waited, and a resize there.
 */
static void blk_restore_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	struct gendisk *disk;
	struct blk_io *io;

	blk_connect(test, fx);
	disk = fx->info->disk;
	fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 100, 4096, 0x31);
	blk_wait_pending(test, fbb, 1);
	fx->fl0->toolstack = blk_restore_toolstack;
	fx->fl0->toolstack_ctx = fbb;

	KUNIT_EXPECT_EQ(test, blk_save(test, fx), 0);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 100, 4096, 0x31));
	KUNIT_EXPECT_EQ(test, fx->fl0->saves, 1U);
	KUNIT_EXPECT_STREQ(test, fx->info->bdev->otherend, fbb->be);
	KUNIT_EXPECT_NOT_NULL(test, strstr(fbb->be, "/vbd/8/"));
	blk_expect_key(test, fx, "state", "1");

	io = blk_submit(test, fx, REQ_OP_WRITE, 200, 4096, 0x32);
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&io->done));
	blk_new_backend_takes(test, fx, io, 200, 0x32, disk);
	/* Nothing of ours closed the port the new domain gave xenstore. */
	KUNIT_EXPECT_TRUE(test, fake_l0_port_open(fx->fl0, FAKE_L0_RESTORE_STORE_PORT));

	KUNIT_ASSERT_EQ(test, fake_blkback_set(fbb, "sectors", "8192"), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_EQ(test, get_capacity(disk), (sector_t)8192);
}

/* L0 cancels its save: the same blkback, Closed, is asked to start over. */
static void blk_save_cancelled_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	char be[sizeof(fbb->be)];
	struct blk_io *io;

	blk_connect(test, fx);
	strscpy(be, fbb->be, sizeof(be));
	fx->fl0->save = 1;
	KUNIT_EXPECT_EQ(test, blk_save(test, fx), 0);
	KUNIT_EXPECT_EQ(test, fx->fl0->saves, 1U);
	KUNIT_EXPECT_STREQ(test, fx->info->bdev->otherend, be);
	blk_expect_key(test, fx, "state", "1");

	io = blk_submit(test, fx, REQ_OP_WRITE, 300, 4096, 0x33);
	fake_blkback_state(fbb, XenbusStateInitWait);
	fake_blkback_connect(fbb);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 300, 4096, 0x33));
}

/*
 * L0 has saved the machine without asking and restored it in a new
 * domain, blkback torn down with the old one: no event comes, nothing is
 * written to us. The sentinel port gives it away, and the connection is
 * set up again at once (not at the next periodic look).
 */
static void blk_lose_backend(struct kunit *test, struct blk_fixture *fx)
{
	fake_blkback_release(fx->fbb);
	fx->fl0->toolstack = blk_restore_toolstack;
	fx->fl0->toolstack_ctx = fx->fbb;
	fake_l0_restore(fx->fl0);
	fx->fbb->hold = false;
	/*
	 * The write's request timeout may come first: its silence is the
	 * restore's, not the device's fault.
	 */
	queue_work(system_highpri_wq, &fx->info->timeout_work);
	flush_work(&fx->info->timeout_work);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->info->broken));
	blanket_restore_pending(fx->info->bdev);
	flush_delayed_work(&fx->fl0->l0.check_work);
	fake_xenstored_settle(fx->fl0->xsd);
}

/*
 * A restore L0 made without asking, with a write in flight that blkback
 * never answered: the disk follows its backend to the new domain's
 * directory, where the write goes again, and none of the new domain's
 * ports is closed on the way (their numbers were ours in the old one).
 */
static void blk_unasked_restore_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct fake_blkback *fbb = fx->fbb;
	evtchn_port_t port;
	struct gendisk *disk;
	struct blk_io *io;

	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, blanket_restore_pending(fx->info->bdev));
	disk = fx->info->disk;
	fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 100, 4096, 0x41);
	blk_wait_pending(test, fbb, 1);

	blk_lose_backend(test, fx);
	KUNIT_EXPECT_EQ(test, fx->fl0->reattaches, 1U);
	KUNIT_EXPECT_EQ(test, fx->fl0->saves, 0U);
	KUNIT_EXPECT_NOT_NULL(test, strstr(fbb->be, "/vbd/8/"));
	KUNIT_EXPECT_STREQ(test, fx->info->bdev->otherend, fbb->be);
	KUNIT_EXPECT_FALSE(test, completion_done(&io->done));
	blk_new_backend_takes(test, fx, io, 100, 0x41, disk);
	for (port = 1; port <= FAKE_L0_RESTORE_PORTS; port++)
		KUNIT_EXPECT_TRUE_MSG(test, fake_l0_port_open(fx->fl0, port),
				      "the new domain's port %u closed", port);
	/* The new domain has a sentinel of its own: no restore since. */
	KUNIT_EXPECT_FALSE(test, blanket_restore_pending(fx->info->bdev));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 300, 4096, 0x42, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 300, 4096, 0x42));
}

/*
 * The same, but L0 will not give shared info back: the device fails with
 * its I/O, rather than waiting for ever.
 */
static void blk_unasked_restore_failed_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);
	struct blk_io *io;

	blk_connect(test, fx);
	fx->fbb->hold = true;
	io = blk_submit(test, fx, REQ_OP_WRITE, 100, 4096, 0x43);
	blk_wait_pending(test, fx->fbb, 1);
	fx->fl0->reattach_err = -EIO;
	blk_lose_backend(test, fx);
	KUNIT_EXPECT_EQ(test, blk_wait(test, io), -EIO);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
}

/*
 * L0 will not tell what became of the sentinel port: no restore is made
 * of that, the looking stops, and the disk goes on as it was.
 */
static void blk_sentinel_refused_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blk_connect(test, fx);
	KUNIT_EXPECT_NE(test, READ_ONCE(fx->fl0->l0.sentinel), 0U);
	fx->fl0->status_err = -EPERM;
	KUNIT_EXPECT_FALSE(test, blanket_restore_pending(fx->info->bdev));
	flush_delayed_work(&fx->fl0->l0.check_work);
	KUNIT_EXPECT_EQ(test, READ_ONCE(fx->fl0->l0.sentinel), 0U);
	KUNIT_EXPECT_EQ(test, fx->fl0->reattaches, 0U);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 400, 4096, 0x44, NULL), 0);
	KUNIT_EXPECT_TRUE(test, blk_disk_is(fx, 400, 4096, 0x44));
}

/*
 * A transport that cannot set up again by itself after a restore nobody
 * asked for (an L1 Xen before ABI version 6) has no sentinel made: such a
 * restore is not looked for, and a silence is not put down to one.
 */
static void blk_cannot_reattach_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blanket_l0_save_stop(&fx->fl0->l0);
	fx->fl0->cannot_reattach = true;
	blanket_l0_save_start(&fx->fl0->l0);
	KUNIT_EXPECT_EQ(test, READ_ONCE(fx->fl0->l0.sentinel), 0U);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&fx->fl0->l0.check_work));
	blk_connect(test, fx);
	KUNIT_EXPECT_FALSE(test, blanket_restore_pending(fx->info->bdev));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 400, 4096, 0x45, NULL), 0);
	KUNIT_EXPECT_EQ(test, fx->fl0->reattaches, 0U);
}

/* What L0's restore gives back that the connection cannot be made with. */
struct blk_bad_restore {
	const char *desc;
	int physmap_err;
	u64 store_pfn, store_port;
	int err;
};

static const struct blk_bad_restore blk_bad_restores[] = {
	{ "grant frames refused", -ENOMEM, FAKE_L0_STORE_PFN, 1, -ENOMEM },
	{ "xenstore ring moved", 0, FAKE_L0_STORE_PFN + 1, 1, -EINVAL },
	{ "no xenstore ring", 0, 0, 1, -EINVAL },
	{ "xenstore ring past physical memory", 0, 1ULL << 52, 1, -EINVAL },
	{ "no xenstore port", 0, FAKE_L0_STORE_PFN, 0, -EINVAL },
	{ "xenstore port past the 2-level ABI", 0, FAKE_L0_STORE_PFN,
	  EVTCHN_2L_NR_CHANNELS, -EINVAL },
	{ "xenstore port of 64 bits", 0, FAKE_L0_STORE_PFN, U64_MAX, -EINVAL },
};

static void blk_bad_restore_desc(const struct blk_bad_restore *bad, char *desc)
{
	strscpy(desc, bad->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(blk_bad_restore, blk_bad_restores, blk_bad_restore_desc);

/* L0's toolstack in the restored domain, getting one thing wrong. */
static void blk_bad_restore_toolstack(struct fake_l0 *fl0, void *ctx)
{
	const struct blk_bad_restore *bad = ctx;

	fl0->physmap_err = bad->physmap_err;
	fl0->store_pfn = bad->store_pfn;
	fl0->store_port = bad->store_port;
}

/*
 * L0 restores the machine but gives back what no connection can be made
 * with: no device can connect, so each fails, and its I/O with it, rather
 * than wait for ever.
 */
static void blk_restore_failed_test(struct kunit *test)
{
	struct blk_fixture *fx = blk_start(test);

	blk_connect(test, fx);
	fx->fl0->toolstack = blk_bad_restore_toolstack;
	fx->fl0->toolstack_ctx = (void *)test->param_value;
	KUNIT_EXPECT_EQ(test, blk_save(test, fx),
			((const struct blk_bad_restore *)test->param_value)->err);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->info->broken));
	KUNIT_EXPECT_EQ(test, blk_rw(test, fx, REQ_OP_WRITE, 0, 4096, 0x34, NULL), -EIO);
}

/* The value of control/@node, "(none)" if it has none. */
static void blk_expect_control(struct kunit *test, struct blk_fixture *fx,
			       const char *node, const char *want)
{
	char path[32], *value;

	snprintf(path, sizeof(path), "control/%s", node);
	value = fake_xenstored_get(fx->fl0->xsd, path);
	KUNIT_EXPECT_STREQ(test, value ?: "(none)", want);
	kfree(value);
}

/*
 * L0's toolstack asks through control/shutdown: we offer to suspend, take
 * "suspend" alone (clearing the node, then saving), and leave anything
 * else, power off or junk, where it is. The disk, not yet connected, has
 * nothing to close; L0 cancels the save.
 */
static void blk_control_test(struct kunit *test)
{
	static const char *const others[] = { "poweroff", "suspendx", "Suspend", "" };
	struct blk_fixture *fx = blk_start(test);
	unsigned int i;

	fx->fl0->save = 1;
	KUNIT_ASSERT_EQ(test, blanket_control_start(&fx->fl0->l0), 0);
	blk_expect_control(test, fx, "feature-suspend", "1");
	for (i = 0; i < ARRAY_SIZE(others); i++) {
		KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->fl0->xsd, "control/shutdown",
							 others[i]), 0);
		fake_xenstored_settle(fx->fl0->xsd);
		blk_expect_control(test, fx, "shutdown", others[i]);
	}
	KUNIT_EXPECT_EQ(test, fx->fl0->saves, 0U);

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->fl0->xsd, "control/shutdown",
						 "suspend"), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_EQ(test, fx->fl0->saves, 1U);
	blk_expect_control(test, fx, "shutdown", "");
	blk_expect_key(test, fx, "state", "1");
	blanket_control_stop(&fx->fl0->l0);
}

static struct kunit_case blk_cases[] = {
	KUNIT_CASE(blk_negotiate_test),
	KUNIT_CASE(blk_renegotiate_test),
	KUNIT_CASE(blk_disk_keys_test),
	KUNIT_CASE_PARAM(blk_bad_resize_test, blk_bad_size_gen_params),
	KUNIT_CASE(blk_bad_backend_test),
	KUNIT_CASE(blk_sector_size_change_test),
	KUNIT_CASE(blk_direct_rw_test),
	KUNIT_CASE(blk_ring_full_test),
	KUNIT_CASE(blk_indirect_test),
	KUNIT_CASE(blk_flush_fua_test),
	KUNIT_CASE(blk_barrier_test),
	KUNIT_CASE(blk_discard_test),
	KUNIT_CASE(blk_persistent_test),
	KUNIT_CASE(blk_bounce_test),
	KUNIT_CASE(blk_runtime_params_test),
	KUNIT_CASE(blk_trusted_key_test),
	KUNIT_CASE(blk_persistent_grant_fail_test),
	KUNIT_CASE(blk_bounce_grant_fail_test),
	KUNIT_CASE(blk_requeue_test),
	KUNIT_CASE(blk_requeue_out_of_order_test),
	KUNIT_CASE(blk_rebind_test),
	KUNIT_CASE(blk_restore_test),
	KUNIT_CASE(blk_save_cancelled_test),
	KUNIT_CASE_PARAM(blk_restore_failed_test, blk_bad_restore_gen_params),
	KUNIT_CASE(blk_unasked_restore_test),
	KUNIT_CASE(blk_unasked_restore_failed_test),
	KUNIT_CASE(blk_sentinel_refused_test),
	KUNIT_CASE(blk_cannot_reattach_test),
	KUNIT_CASE(blk_control_test),
	KUNIT_CASE(blk_closing_drain_test),
	KUNIT_CASE(blk_requeue_shrink_test),
	KUNIT_CASE(blk_hotplug_test),
	KUNIT_CASE(blk_unplug_test),
	KUNIT_CASE(blk_timeout_test),
	KUNIT_CASE(blk_silent_backend_test),
	KUNIT_CASE_PARAM(blk_hostile_test, blk_fault_gen_params),
	KUNIT_CASE(blk_broken_restart_test),
	KUNIT_CASE(blk_broken_replug_test),
	KUNIT_CASE(blk_io_error_test),
	KUNIT_CASE(blk_refused_test),
	{}
};

static struct kunit_suite blk_suite = {
	.name = "blanket_blk",
	.test_cases = blk_cases,
};

kunit_test_suite(blk_suite);
