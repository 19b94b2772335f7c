/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A disk's queue limits, in terms every kernel can take: the kernels'
 * own differ (blanket/compat.h says how), and blanket_blk alone sets
 * them.
 */
#ifndef _BLANKET_BLK_LIMITS_H
#define _BLANKET_BLK_LIMITS_H

#include <linux/blk-mq.h>

#include <blanket/compat.h>

struct blanket_queue_limits {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int max_segments;
	unsigned int max_segment_size;
	unsigned long seg_boundary_mask;
	unsigned int max_hw_sectors;
	unsigned int dma_alignment;
	unsigned int max_discard_sectors;	/* 0: no discard */
	unsigned int max_secure_erase_sectors;
	unsigned int discard_granularity;
	unsigned int discard_alignment;
	bool write_cache;			/* volatile, without FUA */
};

#if BLANKET_HAVE_QUEUE_LIMITS_UPDATE
static inline void blanket_to_queue_limits(const struct blanket_queue_limits *b,
					   struct queue_limits *lim)
{
	lim->logical_block_size = b->logical_block_size;
	lim->physical_block_size = b->physical_block_size;
	lim->max_segments = b->max_segments;
	lim->max_segment_size = b->max_segment_size;
	lim->seg_boundary_mask = b->seg_boundary_mask;
	lim->max_hw_sectors = b->max_hw_sectors;
	lim->dma_alignment = b->dma_alignment;
	lim->max_hw_discard_sectors = b->max_discard_sectors;
	lim->max_secure_erase_sectors = b->max_secure_erase_sectors;
	lim->discard_granularity = b->discard_granularity;
	lim->discard_alignment = b->discard_alignment;
#if BLANKET_HAVE_BLK_FEAT_WRITE_CACHE
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (b->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
#endif
}

/* Before 6.11 the write cache is a queue flag, set apart from the limits. */
static inline void blanket_set_write_cache(struct request_queue *q,
					   const struct blanket_queue_limits *b)
{
#if !BLANKET_HAVE_BLK_FEAT_WRITE_CACHE
	blk_queue_write_cache(q, b->write_cache, false);
#endif
}

static inline struct gendisk *
blanket_alloc_disk(struct blk_mq_tag_set *set,
		   const struct blanket_queue_limits *b, void *queuedata)
{
	struct queue_limits lim = {};
	struct gendisk *disk;

	blanket_to_queue_limits(b, &lim);
	disk = blk_mq_alloc_disk(set, &lim, queuedata);
	if (!IS_ERR(disk))
		blanket_set_write_cache(disk->queue, b);
	return disk;
}

/* Process context: the update takes the queue's limits mutex. */
static inline int blanket_set_queue_limits(struct request_queue *q,
					   const struct blanket_queue_limits *b)
{
	struct queue_limits lim = queue_limits_start_update(q);
	int err;

	blanket_to_queue_limits(b, &lim);
	err = queue_limits_commit_update(q, &lim);
	if (!err)
		blanket_set_write_cache(q, b);
	return err;
}
#else
static inline int blanket_set_queue_limits(struct request_queue *q,
					   const struct blanket_queue_limits *b)
{
	blk_queue_logical_block_size(q, b->logical_block_size);
	blk_queue_physical_block_size(q, b->physical_block_size);
	blk_queue_max_segments(q, b->max_segments);
	blk_queue_max_segment_size(q, b->max_segment_size);
	blk_queue_segment_boundary(q, b->seg_boundary_mask);
	blk_queue_max_hw_sectors(q, b->max_hw_sectors);
	blk_queue_dma_alignment(q, b->dma_alignment);
	blk_queue_max_discard_sectors(q, b->max_discard_sectors);
	blk_queue_max_secure_erase_sectors(q, b->max_secure_erase_sectors);
	q->limits.discard_granularity = b->discard_granularity;
	q->limits.discard_alignment = b->discard_alignment;
	blk_queue_write_cache(q, b->write_cache, false);
	return 0;
}

static inline struct gendisk *
blanket_alloc_disk(struct blk_mq_tag_set *set,
		   const struct blanket_queue_limits *b, void *queuedata)
{
	struct gendisk *disk = blk_mq_alloc_disk(set, queuedata);

	if (!IS_ERR(disk))
		blanket_set_queue_limits(disk->queue, b);
	return disk;
}
#endif

#endif /* _BLANKET_BLK_LIMITS_H */
