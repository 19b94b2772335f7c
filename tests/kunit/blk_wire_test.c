// SPDX-License-Identifier: GPL-2.0
/*
 * The blkif protocol rules of blanket_blk/wire.c on their own: feature
 * negotiation, operation translation, request building (direct and
 * indirect) and response validation, hostile responses included.
 */

#include <kunit/test.h>
#include <linux/slab.h>

#include "blanket_blk/blkfront.h"

static void blk_wire_mode_test(struct kunit *test)
{
	bool ro = true;

	KUNIT_EXPECT_EQ(test, blanket_blkif_parse_mode("w", &ro), 0);
	KUNIT_EXPECT_FALSE(test, ro);
	KUNIT_EXPECT_EQ(test, blanket_blkif_parse_mode("r", &ro), 0);
	KUNIT_EXPECT_TRUE(test, ro);
	KUNIT_EXPECT_EQ(test, blanket_blkif_parse_mode("rw", &ro), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_blkif_parse_mode("", &ro), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_blkif_parse_mode("W", &ro), -EPROTO);
}

static void blk_wire_backend_check_test(struct kunit *test)
{
	struct blanket_blkif_backend be = {
		.sectors = 2048, .sector_size = 512, .info = VDISK_READONLY,
		.discard = true, .discard_granularity = 4096,
		.discard_alignment = 1000, .discard_secure = true,
	};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
	KUNIT_EXPECT_EQ(test, be.physical_sector_size, 512U);
	KUNIT_EXPECT_TRUE(test, be.readonly);
	KUNIT_EXPECT_TRUE(test, be.discard);
	/* An alignment that is not a multiple of the granularity is dropped. */
	KUNIT_EXPECT_EQ(test, be.discard_alignment, 0U);

	be.discard_granularity = 3000;
	KUNIT_ASSERT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
	KUNIT_EXPECT_FALSE(test, be.discard);
	KUNIT_EXPECT_FALSE(test, be.discard_secure);

	be.sector_size = 1000;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "sector-size"));
	be.sector_size = 256;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	be.sector_size = 2 * PAGE_SIZE;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);

	be.sector_size = 4096;
	be.physical_sector_size = 512;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "physical-sector-size"));

	be.physical_sector_size = 4096;
	be.sectors = 2049;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why, "sectors"));
	be.sectors = 2048 + 8;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
}

/* Values of the right form that still describe no disk, or a bad discard. */
static void blk_wire_backend_range_test(struct kunit *test)
{
	struct blanket_blkif_backend be = {
		.sectors = 1ULL << 54, .sector_size = 512,
	};
	const char *why = NULL;

	/* Its size in bytes would not fit a loff_t. */
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why ?: "", "sectors"));
	be.sectors = U64_MAX - 7;
	be.sector_size = 4096;
	be.physical_sector_size = 0;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	be.sectors = (1ULL << 54) - 8;
	be.physical_sector_size = 0;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);

	why = NULL;
	be.physical_sector_size = 1U << 31;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	KUNIT_EXPECT_NOT_NULL(test, strstr(why ?: "", "physical-sector-size"));
	be.physical_sector_size = 128 * 1024;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), -EPROTO);
	be.physical_sector_size = 64 * 1024;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);

	/* A granularity below the logical sector is the logical sector. */
	be.discard = true;
	be.discard_granularity = 512;
	be.discard_alignment = 0;
	KUNIT_ASSERT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
	KUNIT_EXPECT_TRUE(test, be.discard);
	KUNIT_EXPECT_EQ(test, be.discard_granularity, 4096U);

	/* None given: the alignment is checked against the logical sector. */
	be.discard_granularity = 0;
	be.discard_alignment = 1000;
	KUNIT_ASSERT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
	KUNIT_EXPECT_TRUE(test, be.discard);
	KUNIT_EXPECT_EQ(test, be.discard_granularity, 4096U);
	KUNIT_EXPECT_EQ(test, be.discard_alignment, 0U);
	be.discard_alignment = 8192;
	KUNIT_ASSERT_EQ(test, blanket_blkif_check_backend(&be, &why), 0);
	KUNIT_EXPECT_EQ(test, be.discard_alignment, 8192U);
}

static void blk_wire_layout_test(struct kunit *test)
{
	struct blanket_blkif_backend be = { .max_ring_order = 9, .max_queues = 64 };
	struct blanket_blk_params p = { .max_ring_order = 2, .max_queues = 3 };
	struct blanket_blkif_layout lay;

	blanket_blkif_layout(&be, &p, &lay);
	KUNIT_EXPECT_EQ(test, lay.ring_order, 2U);
	KUNIT_EXPECT_EQ(test, lay.nr_queues, 3U);

	p.max_ring_order = 9;
	p.max_queues = 64;
	blanket_blkif_layout(&be, &p, &lay);
	KUNIT_EXPECT_EQ(test, lay.ring_order, (unsigned int)BLANKET_BLK_MAX_RING_ORDER);
	KUNIT_EXPECT_EQ(test, lay.nr_queues, (unsigned int)BLANKET_BLK_MAX_QUEUES);

	/* A backend that offers nothing: one single-page ring. */
	be.max_ring_order = 0;
	be.max_queues = 0;
	blanket_blkif_layout(&be, &p, &lay);
	KUNIT_EXPECT_EQ(test, lay.ring_order, 0U);
	KUNIT_EXPECT_EQ(test, lay.nr_queues, 1U);
}

static void blk_wire_config_test(struct kunit *test)
{
	struct blanket_blkif_backend be = { .max_indirect_segs = 4096 };
	struct blanket_blk_params p = { .max_indirect_segs = 32, .persistent = true };
	struct blanket_blkif_config cfg;

	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_TRUE(test, cfg.indirect);
	KUNIT_EXPECT_EQ(test, cfg.max_segs, 32U);
	KUNIT_EXPECT_FALSE(test, cfg.persistent);
	KUNIT_EXPECT_EQ(test, cfg.flush_op, 0);
	KUNIT_EXPECT_FALSE(test, cfg.discard);

	p.max_indirect_segs = 100000;
	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_EQ(test, cfg.max_segs, (unsigned int)BLANKET_BLK_MAX_INDIRECT_SEGS);

	/* No more than a direct request carries: indirect is not worth it. */
	be.max_indirect_segs = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_FALSE(test, cfg.indirect);
	KUNIT_EXPECT_EQ(test, cfg.max_segs, (unsigned int)BLKIF_MAX_SEGMENTS_PER_REQUEST);
	be.max_indirect_segs = 0;
	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_FALSE(test, cfg.indirect);

	be.persistent = true;
	be.barrier = true;
	be.discard_secure = true;
	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_TRUE(test, cfg.persistent);
	KUNIT_EXPECT_EQ(test, cfg.flush_op, BLKIF_OP_WRITE_BARRIER);
	/* Secure discard means nothing without discard. */
	KUNIT_EXPECT_FALSE(test, cfg.discard_secure);

	be.flush = true;
	be.discard = true;
	p.persistent = false;
	blanket_blkif_config(&be, &p, &cfg);
	KUNIT_EXPECT_FALSE(test, cfg.persistent);
	KUNIT_EXPECT_EQ(test, cfg.flush_op, BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_TRUE(test, cfg.discard);
	KUNIT_EXPECT_TRUE(test, cfg.discard_secure);
}

/* Queue limits: a page per segment, discard and the cache as negotiated. */
static void blk_wire_limits_test(struct kunit *test)
{
	struct blanket_blkif_backend be = {
		.sector_size = 4096, .physical_sector_size = 4096,
		.discard_granularity = 65536, .discard_alignment = 8192,
	};
	struct blanket_blkif_config cfg = {
		.max_segs = 32, .flush_op = BLKIF_OP_FLUSH_DISKCACHE, .discard = true,
	};
	struct blanket_queue_limits lim;

	blanket_blkif_limits(&be, &cfg, &lim);
	KUNIT_EXPECT_EQ(test, lim.logical_block_size, 4096U);
	KUNIT_EXPECT_EQ(test, lim.max_segments, 32U);
	KUNIT_EXPECT_EQ(test, lim.max_segment_size, (unsigned int)PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, lim.seg_boundary_mask, PAGE_SIZE - 1);
	KUNIT_EXPECT_EQ(test, lim.max_hw_sectors, 32U * (PAGE_SIZE >> SECTOR_SHIFT));
	KUNIT_EXPECT_EQ(test, lim.dma_alignment, SECTOR_SIZE - 1U);
	KUNIT_EXPECT_TRUE(test, lim.write_cache);
	KUNIT_EXPECT_GT(test, lim.max_discard_sectors, 0U);
	KUNIT_EXPECT_EQ(test, lim.discard_granularity, 65536U);
	KUNIT_EXPECT_EQ(test, lim.discard_alignment, 8192U);
	KUNIT_EXPECT_EQ(test, lim.max_secure_erase_sectors, 0U);

	/* No granularity given: the logical sector. No flush: no cache. */
	be.discard_granularity = 0;
	cfg.flush_op = 0;
	cfg.discard_secure = true;
	blanket_blkif_limits(&be, &cfg, &lim);
	KUNIT_EXPECT_EQ(test, lim.discard_granularity, 4096U);
	KUNIT_EXPECT_FALSE(test, lim.write_cache);
	KUNIT_EXPECT_GT(test, lim.max_secure_erase_sectors, 0U);

	/* Discard refused: none of it is offered. */
	cfg.discard = false;
	cfg.discard_secure = false;
	blanket_blkif_limits(&be, &cfg, &lim);
	KUNIT_EXPECT_EQ(test, lim.max_discard_sectors, 0U);
	KUNIT_EXPECT_EQ(test, lim.discard_granularity, 0U);
	KUNIT_EXPECT_EQ(test, lim.max_secure_erase_sectors, 0U);
}

static void blk_wire_ring_size_test(struct kunit *test)
{
	unsigned int order;

	KUNIT_EXPECT_EQ(test, blanket_blkif_ring_size(0),
			(unsigned int)__CONST_RING_SIZE(blkif, PAGE_SIZE));
	for (order = 0; order <= BLANKET_BLK_MAX_RING_ORDER; order++) {
		unsigned int size = blanket_blkif_ring_size(order);

		KUNIT_EXPECT_TRUE(test, is_power_of_2(size));
		KUNIT_EXPECT_LE(test, offsetof(struct blkif_sring, ring) +
				size * sizeof(union blkif_sring_entry),
				PAGE_SIZE << order);
		KUNIT_EXPECT_GT(test, offsetof(struct blkif_sring, ring) +
				2 * size * sizeof(union blkif_sring_entry),
				PAGE_SIZE << order);
	}
}

static void blk_wire_op_test(struct kunit *test)
{
	struct blanket_blkif_config cfg = {};
	u8 flag = 0xaa;

	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_READ, &cfg, &flag), BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, flag, 0);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_WRITE | REQ_SYNC, &cfg, &flag),
			BLKIF_OP_WRITE);
	/* Durability flags the block layer should have turned into flushes. */
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_WRITE | REQ_FUA, &cfg, &flag),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_WRITE | REQ_PREFLUSH, &cfg, &flag),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_FLUSH, &cfg, &flag), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_DISCARD, &cfg, &flag), -EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_SECURE_ERASE, &cfg, &flag),
			-EOPNOTSUPP);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_WRITE_ZEROES, &cfg, &flag),
			-EOPNOTSUPP);

	cfg.flush_op = BLKIF_OP_FLUSH_DISKCACHE;
	cfg.discard = true;
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_FLUSH, &cfg, &flag),
			BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_DISCARD, &cfg, &flag),
			BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, flag, 0);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_SECURE_ERASE, &cfg, &flag),
			-EOPNOTSUPP);
	cfg.discard_secure = true;
	cfg.flush_op = BLKIF_OP_WRITE_BARRIER;
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_SECURE_ERASE, &cfg, &flag),
			BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, flag, BLKIF_DISCARD_SECURE);
	KUNIT_EXPECT_EQ(test, blanket_blkif_op(REQ_OP_FLUSH, &cfg, &flag),
			BLKIF_OP_WRITE_BARRIER);
}

static void blk_wire_direct_test(struct kunit *test)
{
	const struct blanket_blkif_seg segs[] = {
		{ .gref = 10, .offset = 512, .len = 3584 },
		{ .gref = 11, .offset = 0, .len = 4096 },
		{ .gref = 12, .offset = 0, .len = 1024 },
	};
	struct blkif_request req;

	KUNIT_ASSERT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_WRITE, 7, 51712,
						     1234, segs, 3, 11, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, req.operation, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, req.u.rw.nr_segments, 3);
	KUNIT_EXPECT_EQ(test, req.u.rw.handle, 51712);
	KUNIT_EXPECT_EQ(test, req.u.rw.id, 7ULL);
	KUNIT_EXPECT_EQ(test, req.u.rw.sector_number, 1234ULL);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[0].gref, 10U);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[0].first_sect, 1);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[0].last_sect, 7);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[1].first_sect, 0);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[1].last_sect, 7);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[2].gref, 12U);
	KUNIT_EXPECT_EQ(test, req.u.rw.seg[2].last_sect, 1);
	/* The id sits where every request kind has it: the response echoes it. */
	KUNIT_EXPECT_EQ(test, offsetof(struct blkif_request, u.rw.id),
			offsetof(struct blkif_request, u.indirect.id));
}

/* Segment limits: whole sectors inside one page, and not too many. */
static void blk_wire_segment_limits_test(struct kunit *test)
{
	struct blanket_blkif_seg segs[BLKIF_MAX_SEGMENTS_PER_REQUEST + 1];
	static const struct blanket_blkif_seg bad[] = {
		{ .offset = 256, .len = 512 },		/* not sector aligned */
		{ .offset = 0, .len = 700 },		/* part of a sector */
		{ .offset = 3584, .len = 1024 },	/* crosses the page */
		{ .offset = 0, .len = 0 },		/* empty */
		{ .offset = 0, .len = 2 * PAGE_SIZE },	/* two pages */
	};
	struct blkif_request req;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++)
		segs[i] = (struct blanket_blkif_seg) { .gref = i, .len = PAGE_SIZE };
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 0, 0, 0,
								 &bad[i], 1, 11, NULL, NULL),
				    -EINVAL, "segment %u", i);
	/* Without indirect descriptors, 11 segments is the most. */
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 0, 0, 0, segs,
						     11, 11, NULL, NULL), 0);
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 0, 0, 0, segs,
						     12, 11, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 0, 0, 0, segs,
						     0, 11, NULL, NULL), -EINVAL);
	/* Only reads and writes carry data. */
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_DISCARD, 0, 0, 0, segs,
						     1, 11, NULL, NULL), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_FLUSH_DISKCACHE, 0, 0,
						     0, segs, 1, 11, NULL, NULL), -EINVAL);
}

static void blk_wire_indirect_test(struct kunit *test)
{
	unsigned int nseg = BLANKET_BLK_SEGS_PER_PAGE + 88, i;
	struct blkif_request_segment *ipages[2];
	grant_ref_t igrefs[2] = { 900, 901 };
	struct blanket_blkif_seg *segs;
	struct blkif_request req;

	segs = kunit_kcalloc(test, nseg, sizeof(*segs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, segs);
	for (i = 0; i < 2; i++) {
		ipages[i] = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
		KUNIT_ASSERT_NOT_NULL(test, ipages[i]);
	}
	for (i = 0; i < nseg; i++)
		segs[i] = (struct blanket_blkif_seg) {
			.gref = 1000 + i, .offset = (i % 8) * 512, .len = 512,
		};

	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 3, 768, 99,
						     segs, nseg, nseg - 1, igrefs, ipages),
			-EINVAL);
	KUNIT_ASSERT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 3, 768, 99,
						     segs, nseg, nseg, igrefs, ipages), 0);
	KUNIT_EXPECT_EQ(test, req.operation, BLKIF_OP_INDIRECT);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_op, BLKIF_OP_READ);
	KUNIT_EXPECT_EQ(test, req.u.indirect.nr_segments, nseg);
	KUNIT_EXPECT_EQ(test, req.u.indirect.id, 3ULL);
	KUNIT_EXPECT_EQ(test, req.u.indirect.handle, 768);
	KUNIT_EXPECT_EQ(test, req.u.indirect.sector_number, 99ULL);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_grefs[0], 900U);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_grefs[1], 901U);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_grefs[2], 0U);
	for (i = 0; i < nseg; i++) {
		struct blkif_request_segment *d =
			&ipages[i / BLANKET_BLK_SEGS_PER_PAGE][i % BLANKET_BLK_SEGS_PER_PAGE];

		KUNIT_EXPECT_EQ(test, d->gref, 1000 + i);
		KUNIT_EXPECT_EQ(test, d->first_sect, i % 8);
		KUNIT_EXPECT_EQ(test, d->last_sect, i % 8);
	}

	/* Eight indirect pages are all a request can name. */
	KUNIT_EXPECT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_READ, 3, 768, 99,
						     segs, BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST *
						     BLANKET_BLK_SEGS_PER_PAGE + 1, UINT_MAX,
						     igrefs, ipages), -EINVAL);

	/* Twelve segments already take the indirect form. */
	KUNIT_ASSERT_EQ(test, blanket_blkif_build_rw(&req, BLKIF_OP_WRITE, 4, 0, 0, segs,
						     12, 32, igrefs, ipages), 0);
	KUNIT_EXPECT_EQ(test, req.operation, BLKIF_OP_INDIRECT);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_op, BLKIF_OP_WRITE);
	KUNIT_EXPECT_EQ(test, req.u.indirect.indirect_grefs[1], 0U);
}

static void blk_wire_discard_flush_test(struct kunit *test)
{
	struct blkif_request req;

	memset(&req, 0xff, sizeof(req));
	blanket_blkif_build_discard(&req, 5, 4096, 8192, BLKIF_DISCARD_SECURE);
	KUNIT_EXPECT_EQ(test, req.operation, BLKIF_OP_DISCARD);
	KUNIT_EXPECT_EQ(test, req.u.discard.flag, BLKIF_DISCARD_SECURE);
	KUNIT_EXPECT_EQ(test, req.u.discard.id, 5ULL);
	KUNIT_EXPECT_EQ(test, req.u.discard.sector_number, 4096ULL);
	KUNIT_EXPECT_EQ(test, req.u.discard.nr_sectors, 8192ULL);

	memset(&req, 0xff, sizeof(req));
	blanket_blkif_build_flush(&req, BLKIF_OP_FLUSH_DISKCACHE, 6, 51712);
	KUNIT_EXPECT_EQ(test, req.operation, BLKIF_OP_FLUSH_DISKCACHE);
	KUNIT_EXPECT_EQ(test, req.u.rw.id, 6ULL);
	KUNIT_EXPECT_EQ(test, req.u.rw.handle, 51712);
	/* A flush carries no data: blkback must see no segment. */
	KUNIT_EXPECT_EQ(test, req.u.rw.nr_segments, 0);
}

/* Every class of malformed response, and the well-formed ones. */
static void blk_wire_response_test(struct kunit *test)
{
	u8 inflight[4] = { BLKIF_OP_READ, BLANKET_BLK_NO_OP, BLKIF_OP_DISCARD,
			   BLKIF_OP_FLUSH_DISKCACHE };
	struct blkif_response rsp = { .id = 0, .operation = BLKIF_OP_READ };
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), 0);
	rsp.status = BLKIF_RSP_ERROR;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), 0);
	rsp = (struct blkif_response) {
		.id = 2, .operation = BLKIF_OP_DISCARD, .status = BLKIF_RSP_EOPNOTSUPP,
	};
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), 0);

	rsp = (struct blkif_response) { .id = 4, .operation = BLKIF_OP_READ };
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
	KUNIT_EXPECT_STREQ(test, why, "response id out of range");
	rsp.id = 1ULL << 40;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
	KUNIT_EXPECT_STREQ(test, why, "response id out of range");

	rsp.id = 1;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
	KUNIT_EXPECT_STREQ(test, why, "response for no request in flight");

	rsp = (struct blkif_response) { .id = 3, .operation = BLKIF_OP_WRITE };
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
	KUNIT_EXPECT_STREQ(test, why, "response operation differs from the request's");
	/* The inner operation is echoed, never BLKIF_OP_INDIRECT. */
	rsp = (struct blkif_response) { .id = 0, .operation = BLKIF_OP_INDIRECT };
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);

	rsp = (struct blkif_response) { .id = 0, .operation = BLKIF_OP_READ, .status = 1 };
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
	KUNIT_EXPECT_STREQ(test, why, "response status undefined");
	rsp.status = -3;
	KUNIT_EXPECT_EQ(test, blanket_blkif_check_rsp(&rsp, 4, inflight, &why), -EPROTO);
}

static struct kunit_case blk_wire_cases[] = {
	KUNIT_CASE(blk_wire_mode_test),
	KUNIT_CASE(blk_wire_backend_check_test),
	KUNIT_CASE(blk_wire_backend_range_test),
	KUNIT_CASE(blk_wire_layout_test),
	KUNIT_CASE(blk_wire_config_test),
	KUNIT_CASE(blk_wire_limits_test),
	KUNIT_CASE(blk_wire_ring_size_test),
	KUNIT_CASE(blk_wire_op_test),
	KUNIT_CASE(blk_wire_direct_test),
	KUNIT_CASE(blk_wire_segment_limits_test),
	KUNIT_CASE(blk_wire_indirect_test),
	KUNIT_CASE(blk_wire_discard_flush_test),
	KUNIT_CASE(blk_wire_response_test),
	{}
};

static struct kunit_suite blk_wire_suite = {
	.name = "blanket_blkif_wire",
	.test_cases = blk_wire_cases,
};

kunit_test_suite(blk_wire_suite);
