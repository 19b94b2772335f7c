// SPDX-License-Identifier: GPL-2.0
/*
 * Grant references against fake grant frames: the test plays L0 by
 * setting GTF_reading/GTF_writing on entries it "maps".
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/mm.h>

#include "blanket_xenbus/gnttab.h"

#define PER_FRAME BLANKET_GNTTAB_PER_FRAME
#define USABLE_IN_FIRST (PER_FRAME - GNTTAB_NR_RESERVED_ENTRIES)

struct gnttab_fixture {
	struct kunit *test;
	struct blanket_gnttab gt;
	int maps;
	int fail_map;		/* the map callback fails with this */
};

static int fake_map_frame(void *ctx, unsigned int index,
			  struct grant_entry_v1 **entries)
{
	struct gnttab_fixture *fx = ctx;

	if (fx->fail_map)
		return fx->fail_map;
	*entries = kunit_kzalloc(fx->test, PAGE_SIZE, GFP_KERNEL);
	if (!*entries)
		return -ENOMEM;
	fx->maps++;
	return 0;
}

static int gnttab_test_init(struct kunit *test)
{
	struct gnttab_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->test = test;
	test->priv = fx;
	return blanket_gnttab_init(&fx->gt, 2, fake_map_frame, fx);
}

static void gnttab_test_exit(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;

	blanket_gnttab_destroy(&fx->gt);
}

static struct grant_entry_v1 *entry(struct gnttab_fixture *fx, grant_ref_t ref)
{
	return &fx->gt.frames[ref / PER_FRAME][ref % PER_FRAME];
}

static void gnttab_alloc_grant_end_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	grant_ref_t refs[16];
	struct blanket_gnttab_stats stats;
	unsigned int i, j;

	KUNIT_ASSERT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 16, refs), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 1);
	for (i = 0; i < 16; i++) {
		KUNIT_EXPECT_GE(test, refs[i], (grant_ref_t)GNTTAB_NR_RESERVED_ENTRIES);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, refs[i], refs[j]);
	}

	KUNIT_ASSERT_EQ(test, blanket_gnttab_grant(&fx->gt, refs[0], 3, 0x12345, false), 0);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[0])->domid, 3);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[0])->frame, 0x12345U);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[0])->flags, (u16)GTF_permit_access);
	KUNIT_ASSERT_EQ(test, blanket_gnttab_grant(&fx->gt, refs[1], 0, 7, true), 0);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[1])->flags,
			(u16)(GTF_permit_access | GTF_readonly));

	KUNIT_EXPECT_EQ(test, blanket_gnttab_end(&fx->gt, refs[0]), 0);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[0])->flags, 0);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 16ULL);
	for (i = 0; i < 16; i++)
		blanket_gnttab_end_and_free(&fx->gt, refs[i], NULL);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 0ULL);
}

static void gnttab_bad_grant_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	grant_ref_t ref;

	KUNIT_ASSERT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 1, &ref), 0);
	/* Reserved and not-yet-mapped references are not ours to use. */
	KUNIT_EXPECT_EQ(test, blanket_gnttab_grant(&fx->gt, 0, 0, 1, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_gnttab_grant(&fx->gt, PER_FRAME, 0, 1, false), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_gnttab_grant(&fx->gt, ref, 0, 1UL << 32, false),
			-EOVERFLOW);
	KUNIT_EXPECT_EQ(test, entry(fx, ref)->flags, 0);
	blanket_gnttab_free_ref(&fx->gt, ref);
}

static void gnttab_growth_and_exhaustion_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	unsigned int total = USABLE_IN_FIRST + PER_FRAME;
	grant_ref_t *refs, extra;
	struct blanket_gnttab_stats stats;

	refs = kunit_kcalloc(test, total, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, USABLE_IN_FIRST, refs), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 1);
	/* One more reference needs a second frame. */
	KUNIT_ASSERT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, PER_FRAME,
							refs + USABLE_IN_FIRST), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 2);
	/* L0's maximum is two frames: all or nothing, nothing leaks. */
	KUNIT_EXPECT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 1, &extra), -ENOSPC);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, (u64)total);
	KUNIT_EXPECT_EQ(test, stats.frames, 2ULL);

	blanket_gnttab_free_ref(&fx->gt, refs[5]);
	KUNIT_EXPECT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 1, &extra), 0);
	KUNIT_EXPECT_EQ(test, extra, refs[5]);
}

static void gnttab_grow_to_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;

	KUNIT_EXPECT_EQ(test, blanket_gnttab_grow_to(&fx->gt, 1), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 1);
	KUNIT_EXPECT_EQ(test, blanket_gnttab_grow_to(&fx->gt, 1), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 1);
	/* Never past L0's maximum (two frames here). */
	KUNIT_EXPECT_EQ(test, blanket_gnttab_grow_to(&fx->gt, 5), 0);
	KUNIT_EXPECT_EQ(test, fx->maps, 2);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.frames, 2ULL);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
}

static void gnttab_grow_failure_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	grant_ref_t refs[4];
	struct blanket_gnttab_stats stats;

	fx->fail_map = -EIO;
	KUNIT_EXPECT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 4, refs), -EIO);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.frames, 0ULL);
	fx->fail_map = 0;
	KUNIT_EXPECT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 4, refs), 0);
}

/* L0 still maps the page: neither it nor the reference may be reused. */
static void gnttab_end_while_mapped_test(struct kunit *test)
{
	struct gnttab_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	struct page *page;
	grant_ref_t ref, again;
	int i;

	fx->gt.retry_ms = 5;
	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_ASSERT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 1, &ref), 0);
	KUNIT_ASSERT_EQ(test, blanket_gnttab_grant(&fx->gt, ref, 0, page_to_pfn(page),
						   false), 0);
	entry(fx, ref)->flags |= GTF_writing;	/* L0 maps it */

	KUNIT_EXPECT_EQ(test, blanket_gnttab_end(&fx->gt, ref), -EBUSY);
	get_page(page);		/* ours, to watch the deferred put */
	blanket_gnttab_end_and_free(&fx->gt, ref, page);
	blanket_gnttab_get_stats(&fx->gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.deferred, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.in_use, 1ULL);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 2);

	/* Long enough to be reported leaked, still not freed. */
	for (i = 0; i < 200 && stats.leaked == 0; i++) {
		msleep(20);
		blanket_gnttab_get_stats(&fx->gt, &stats);
	}
	KUNIT_EXPECT_EQ(test, stats.leaked, 1ULL);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 2);
	KUNIT_EXPECT_EQ(test, blanket_gnttab_alloc_refs(&fx->gt, 1, &again), 0);
	KUNIT_EXPECT_NE(test, again, ref);
	blanket_gnttab_free_ref(&fx->gt, again);

	/* L0 lets go: the next retry frees both. */
	entry(fx, ref)->flags &= ~GTF_writing;
	for (i = 0; i < 200 && stats.deferred; i++) {
		msleep(20);
		blanket_gnttab_get_stats(&fx->gt, &stats);
	}
	KUNIT_EXPECT_EQ(test, stats.deferred, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.leaked, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	__free_page(page);
}

static struct kunit_case blanket_gnttab_cases[] = {
	KUNIT_CASE(gnttab_alloc_grant_end_test),
	KUNIT_CASE(gnttab_bad_grant_test),
	KUNIT_CASE(gnttab_growth_and_exhaustion_test),
	KUNIT_CASE(gnttab_grow_to_test),
	KUNIT_CASE(gnttab_grow_failure_test),
	KUNIT_CASE(gnttab_end_while_mapped_test),
	{}
};

static struct kunit_suite blanket_gnttab_suite = {
	.name = "blanket_gnttab",
	.init = gnttab_test_init,
	.exit = gnttab_test_exit,
	.test_cases = blanket_gnttab_cases,
};

kunit_test_suite(blanket_gnttab_suite);
