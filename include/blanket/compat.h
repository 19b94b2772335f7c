/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels blanket builds on (Debian 12's 6.1
 * up to current mainline) lives here, so that no other file tests
 * LINUX_VERSION_CODE. The other files are written against the newest
 * kernel's names; this one gives older kernels those names, or, where the
 * newest kernel has no like call, a blanket_ helper that every kernel has,
 * or (BLANKET_HAVE_*) tells a shim beside its one user which way to go.
 * Version shims only: nothing else belongs here.
 */
#ifndef _BLANKET_COMPAT_H
#define _BLANKET_COMPAT_H

#include <linux/version.h>
#include <linux/blk-mq.h>
#include <linux/irq.h>
#include <linux/mm.h>
#include <linux/timer.h>
#include <asm/msr.h>

/*
 * 6.13 turned symbol namespaces from bare words into string literals:
 * the one blanket's KUnit modules import (blanket/test_export.h).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define BLANKET_KUNIT_NS "EXPORTED_FOR_KUNIT_TESTING"
#else
#define BLANKET_KUNIT_NS EXPORTED_FOR_KUNIT_TESTING
#endif

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

/* 7.2's processor.h no longer brings cpuid() in: asm/cpuid/api.h does. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(7, 2, 0)
#include <asm/cpuid/api.h>
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
 * 6.9 hands a disk's queue limits over whole, at allocation and in atomic
 * updates, where older kernels have a setter per limit; 6.11 dropped those
 * setters and made the write cache a feature bit of the limits. The shim
 * that maps blanket_blk's limits onto each is blanket_blk/limits.h.
 */
#define BLANKET_HAVE_QUEUE_LIMITS_UPDATE \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 9, 0))
#define BLANKET_HAVE_BLK_FEAT_WRITE_CACHE \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(6, 11, 0))

/*
 * Before 6.13 an IRQ whose affinity may change outside its handler said
 * so with IRQ_MOVE_PCNTXT; since, every IRQ may unless its chip says not.
 */
static inline void blanket_irq_move_in_process_context(unsigned int irq)
{
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
	irq_set_status_flags(irq, IRQ_MOVE_PCNTXT);
#endif
}

#endif /* _BLANKET_COMPAT_H */
