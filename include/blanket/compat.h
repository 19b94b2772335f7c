/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels blanket builds on (Debian 12's 6.1
 * up to current mainline) lives here, so that no other file tests
 * LINUX_VERSION_CODE. The other files are written against the newest
 * kernel's names; this one gives older kernels those names, or, where the
 * newest kernel has no like call, a blanket_ helper that every kernel has.
 */
#ifndef _BLANKET_COMPAT_H
#define _BLANKET_COMPAT_H

#include <linux/version.h>
#include <linux/module.h>
#include <linux/export.h>
#include <linux/blk-mq.h>
#include <linux/mm.h>
#include <linux/timer.h>
#include <asm/msr.h>
#include <asm/xen/hypercall.h>

#include <blanket/l1_abi.h>

/* 6.13 turned symbol namespaces from bare words into string literals. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define BLANKET_NS "BLANKET_INTERNAL"
#else
#define BLANKET_NS BLANKET_INTERNAL
#endif

/*
 * Protocol logic that has no business in the public API is exported only
 * to the KUnit modules, in a namespace of its own. A production kernel
 * (CONFIG_KUNIT unset, as in Debian's) gets no extra exports at all.
 */
#if IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_BLANKET_TEST(sym) EXPORT_SYMBOL_NS_GPL(sym, BLANKET_NS)
#else
#define EXPORT_SYMBOL_BLANKET_TEST(sym)
#endif

#define BLANKET_IMPORT_TEST_NS() MODULE_IMPORT_NS(BLANKET_NS)

/* 6.14 let a caller register KUnit suites without running them at once. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define blanket_kunit_run_suites(suites, n) __kunit_test_suites_init(suites, n, true)
#else
#define blanket_kunit_run_suites(suites, n) __kunit_test_suites_init(suites, n)
#endif

/*
 * Since 6.5 the requeue work puts each requeued request back at the head
 * of the queue, where 6.1 put it at the tail: to go out again oldest
 * first, requests are requeued newest first there.
 */
#define BLANKET_REQUEUE_AT_HEAD (LINUX_VERSION_CODE >= KERNEL_VERSION(6, 5, 0))

/* 6.3 made the device argument of bus_type::uevent const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define blanket_uevent_dev_t const struct device
#else
#define blanket_uevent_dev_t struct device
#endif

/* 6.11 made the driver argument of bus_type::match const. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
#define blanket_match_drv_t const struct device_driver
#else
#define blanket_match_drv_t struct device_driver
#endif

/* 6.2 renamed del_timer_sync() timer_delete_sync(); 6.15 dropped the old name. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define timer_delete_sync(timer) del_timer_sync(timer)
#endif

/* 6.16 renamed from_timer() timer_container_of(). */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define timer_container_of(var, timer, field) from_timer(var, timer, field)
#endif

/* 6.16 renamed the 64-bit MSR accessors from *msrl* to *msrq*. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 16, 0)
#define wrmsrq_safe(msr, val) wrmsrl_safe(msr, val)
#endif

/*
 * mac_pton() is in hex.h, which kernel.h included up to 6.12 and no
 * longer does by 7.2; 6.1 has no hex.h and declares it in kernel.h.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#include <linux/hex.h>
#endif

/*
 * The page @n pages on from @page, in a range the kernel handed over as
 * one (a folio, a scatterlist entry). 6.18 removed nth_page(): every such
 * range is contiguous in the memory map, so plain pointer arithmetic is
 * right there.
 */
static inline struct page *blanket_nth_page(struct page *page, unsigned long n)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 18, 0)
	return page + n;
#else
	return nth_page(page, n);
#endif
}

/* 6.14 made merging the default and dropped BLK_MQ_F_SHOULD_MERGE. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 14, 0)
#define BLANKET_BLK_MQ_F_MERGE 0
#else
#define BLANKET_BLK_MQ_F_MERGE BLK_MQ_F_SHOULD_MERGE
#endif

/* 6.15 dropped the queue argument of blk_rq_map_sg(). */
static inline int blanket_rq_map_sg(struct request *rq, struct scatterlist *sg)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 15, 0)
	return blk_rq_map_sg(rq, sg);
#else
	return blk_rq_map_sg(rq->q, rq, sg);
#endif
}

/*
 * A disk's queue limits, in terms every kernel can take. 6.9 hands them
 * over whole, at allocation and in atomic updates, where older kernels
 * have a setter per limit; 6.11 dropped those setters and made the write
 * cache a feature bit of the limits.
 */
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

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0)
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
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0)
	lim->features &= ~(BLK_FEAT_WRITE_CACHE | BLK_FEAT_FUA);
	if (b->write_cache)
		lim->features |= BLK_FEAT_WRITE_CACHE;
#endif
}

/* Before 6.11 the write cache is a queue flag, set apart from the limits. */
static inline void blanket_set_write_cache(struct request_queue *q,
					   const struct blanket_queue_limits *b)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 11, 0)
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

/*
 * blanket_l1_op from a PV Dom0, through the kernel's own hypercall macro,
 * which names a call by __HYPERVISOR_<name>. The mechanism behind it
 * changed inside a stable series (hypercall_page, then the xen_hypercall
 * static call after XSA-466, in 6.1.y too: Debian 12's 6.1.0-56 has it),
 * so LINUX_VERSION_CODE cannot choose; the kernel's macro always can.
 */
#define __HYPERVISOR_blanket_l1_op BLANKET_L1_HYPERCALL

static inline long blanket_l1_hypercall(unsigned int op, void *arg)
{
	return _hypercall2(long, blanket_l1_op, op, arg);
}

#endif /* _BLANKET_COMPAT_H */
