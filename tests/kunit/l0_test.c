// SPDX-License-Identifier: GPL-2.0
/*
 * The frontend helpers of an L0 connection, on a fake one: grant frames
 * in memory and a transport whose frame numbers differ from pfns.
 */

#include <kunit/test.h>
#include <linux/delay.h>

#include "blanket_xenbus/l0.h"

#define FAKE_GFN_OFFSET 0x100000UL
#define BACKEND_DOMID 5

struct l0_fixture {
	struct kunit *test;
	struct blanket_l0 l0;
	struct blanket_device bdev;
	evtchn_port_t next_port;	/* what alloc_unbound hands out */
	domid_t remote;			/* what alloc_unbound was asked for */
	int sends, closes;
	evtchn_port_t last_port;
};

/*
 * Armed by l0_fail_grants_after(): a backend that maps every grant of
 * frame 0 as soon as it exists, and a grant that then fails.
 */
static struct {
	struct l0_fixture *fx;
	unsigned int left;	/* grants that still succeed */
} l0_failing;

static xen_pfn_t fake_pfn_to_gfn(unsigned long pfn)
{
	struct grant_entry_v1 *e;
	unsigned int ref;

	if (!l0_failing.fx)
		return pfn + FAKE_GFN_OFFSET;
	if (l0_failing.left--)
		return pfn + FAKE_GFN_OFFSET;
	for (ref = GNTTAB_NR_RESERVED_ENTRIES; ref < BLANKET_GNTTAB_PER_FRAME; ref++) {
		e = &l0_failing.fx->l0.gt.frames[0][ref];
		if (e->flags & GTF_permit_access)
			e->flags |= GTF_reading;
	}
	l0_failing.fx = NULL;
	/* More than a v1 grant entry's 32 bits: this grant fails. */
	return (xen_pfn_t)U32_MAX + 1;
}

static void l0_fail_grants_after(struct l0_fixture *fx, unsigned int n)
{
	l0_failing.left = n;
	l0_failing.fx = fx;
}

static int fake_event_channel_op(struct blanket_l0 *l0, int cmd, void *arg)
{
	struct l0_fixture *fx = container_of(l0, struct l0_fixture, l0);

	switch (cmd) {
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound *op = arg;

		fx->remote = op->remote_dom;
		op->port = fx->next_port;
		return 0;
	}
	case EVTCHNOP_send:
		fx->sends++;
		fx->last_port = ((struct evtchn_send *)arg)->port;
		return 0;
	case EVTCHNOP_close:
		fx->closes++;
		fx->last_port = ((struct evtchn_close *)arg)->port;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static const struct blanket_transport_ops fake_ops = {
	.name = "fake",
	.event_channel_op = fake_event_channel_op,
	.pfn_to_gfn = fake_pfn_to_gfn,
};

static int fake_map_frame(void *ctx, unsigned int index,
			  struct grant_entry_v1 **entries)
{
	struct l0_fixture *fx = ctx;

	*entries = kunit_kzalloc(fx->test, PAGE_SIZE, GFP_KERNEL);
	return *entries ? 0 : -ENOMEM;
}

static int l0_test_init(struct kunit *test)
{
	struct l0_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->test = test;
	fx->l0.ops = &fake_ops;
	fx->bdev.xs = &fx->l0.xs;
	fx->bdev.otherend_id = BACKEND_DOMID;
	fx->l0.shared = kunit_kzalloc(test, sizeof(*fx->l0.shared), GFP_KERNEL);
	if (!fx->l0.shared)
		return -ENOMEM;
	test->priv = fx;
	return blanket_evtchn_init(&fx->l0.ev, fx->l0.shared, NULL, &fx->l0) ?:
	       blanket_gnttab_init(&fx->l0.gt, 1, fake_map_frame, fx);
}

static void l0_test_exit(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;

	l0_failing.fx = NULL;
	blanket_evtchn_destroy(&fx->l0.ev);
	blanket_gnttab_destroy(&fx->l0.gt);
}

static bool l0_test_handler(evtchn_port_t port, void *data)
{
	return true;
}

static void l0_evtchn_helpers_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	evtchn_port_t port = 0;

	fx->next_port = 42;
	KUNIT_ASSERT_EQ(test, blanket_alloc_evtchn(&fx->bdev, &port), 0);
	KUNIT_EXPECT_EQ(test, port, 42U);
	KUNIT_EXPECT_EQ(test, fx->remote, BACKEND_DOMID);
	KUNIT_ASSERT_EQ(test, blanket_bind_evtchn(&fx->bdev, port, "test", l0_test_handler, fx), 0);

	KUNIT_EXPECT_EQ(test, blanket_notify(&fx->bdev, port), 0);
	KUNIT_EXPECT_EQ(test, blanket_notify(&fx->bdev, port), 0);
	KUNIT_EXPECT_EQ(test, fx->sends, 2);
	KUNIT_EXPECT_EQ(test, fx->last_port, 42U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->bdev.notifications), 2LL);

	blanket_free_evtchn(&fx->bdev, port);
	KUNIT_EXPECT_EQ(test, fx->closes, 1);
	KUNIT_EXPECT_EQ(test, fx->last_port, 42U);
	KUNIT_EXPECT_TRUE(test, xa_empty(&fx->l0.ev.ports));
}

/* L0 hands out a port the 2-level ABI cannot have. */
static void l0_evtchn_impossible_port_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	evtchn_port_t port = 7;

	fx->next_port = EVTCHN_2L_NR_CHANNELS;
	KUNIT_EXPECT_EQ(test, blanket_alloc_evtchn(&fx->bdev, &port), -EIO);
	KUNIT_EXPECT_EQ(test, port, 7U);
}

static struct grant_entry_v1 *entry(struct l0_fixture *fx, grant_ref_t ref)
{
	return &fx->l0.gt.frames[0][ref];
}

static void l0_setup_teardown_ring_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	grant_ref_t refs[4];
	void *ring;
	int i;

	ring = blanket_setup_ring(&fx->bdev, 2, refs);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ring);
	for (i = 0; i < 4; i++) {
		struct grant_entry_v1 *e = entry(fx, refs[i]);
		unsigned long pfn = page_to_pfn(virt_to_page(ring + i * PAGE_SIZE));

		KUNIT_EXPECT_EQ(test, e->domid, BACKEND_DOMID);
		KUNIT_EXPECT_EQ(test, (unsigned long)e->frame, pfn + FAKE_GFN_OFFSET);
		KUNIT_EXPECT_EQ(test, e->flags, (u16)GTF_permit_access);
	}
	KUNIT_EXPECT_EQ(test, ((u8 *)ring)[PAGE_SIZE * 4 - 1], 0);

	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->bdev.grants), 4LL);
	blanket_teardown_ring(&fx->bdev, ring, 2, refs);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->bdev.grants), 0LL);
	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 0ULL);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[3])->flags, 0);
}

static void l0_await_undeferred(struct l0_fixture *fx,
				struct blanket_gnttab_stats *stats)
{
	int i;

	blanket_gnttab_get_stats(&fx->l0.gt, stats);
	for (i = 0; i < 100 && stats->deferred; i++) {
		msleep(20);
		blanket_gnttab_get_stats(&fx->l0.gt, stats);
	}
}

/*
 * The backend still maps a ring page: the ring must not be freed under
 * it, and is freed once it lets go.
 */
static void l0_teardown_ring_while_mapped_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	struct page *page;
	grant_ref_t refs[2];
	void *ring;

	fx->l0.gt.retry_ms = 5;
	ring = blanket_setup_ring(&fx->bdev, 1, refs);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ring);
	/* Our own reference shows whether the ring's is dropped. */
	page = virt_to_page(ring);
	get_page(page);
	entry(fx, refs[1])->flags |= GTF_reading;
	blanket_teardown_ring(&fx->bdev, ring, 1, refs);

	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 1ULL);
	/* Still ours to read: nothing was freed under the backend. */
	((u8 *)ring)[PAGE_SIZE + 1] = 0x5a;

	/* The backend lets go: the reference comes back, the ring goes. */
	entry(fx, refs[1])->flags &= ~GTF_reading;
	l0_await_undeferred(fx, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), 1);
	put_page(page);
}

/*
 * A ring page's grant fails after the backend mapped an earlier one, by
 * a reference it guessed: that page is not freed under it, nor is its
 * reference reused, until it lets go.
 */
static void l0_setup_ring_fails_while_mapped_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	struct grant_entry_v1 *e;
	grant_ref_t refs[2];
	u8 *mapped;
	void *ring;

	fx->l0.gt.retry_ms = 5;
	l0_fail_grants_after(fx, 1);
	ring = blanket_setup_ring(&fx->bdev, 1, refs);
	KUNIT_ASSERT_EQ(test, PTR_ERR_OR_ZERO(ring), -EOVERFLOW);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->bdev.grants), 0LL);
	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 1ULL);

	/* The backend writes to the page it maps: still a page of ours. */
	e = entry(fx, refs[0]);
	KUNIT_ASSERT_TRUE(test, e->flags & GTF_reading);
	mapped = page_address(pfn_to_page(e->frame - FAKE_GFN_OFFSET));
	mapped[7] = 0x5a;

	e->flags &= ~GTF_reading;
	l0_await_undeferred(fx, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
}

static void l0_setup_ring_exhausted_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	grant_ref_t *refs;
	void *ring;

	/* One frame holds 512 - 8 usable references: 1024 cannot fit. */
	refs = kunit_kcalloc(test, 1024, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	ring = blanket_setup_ring(&fx->bdev, 10, refs);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ring), -ENOSPC);
	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
}

static struct kunit_case blanket_l0_cases[] = {
	KUNIT_CASE(l0_setup_teardown_ring_test),
	KUNIT_CASE(l0_teardown_ring_while_mapped_test),
	KUNIT_CASE(l0_setup_ring_fails_while_mapped_test),
	KUNIT_CASE(l0_setup_ring_exhausted_test),
	KUNIT_CASE(l0_evtchn_helpers_test),
	KUNIT_CASE(l0_evtchn_impossible_port_test),
	{}
};

static struct kunit_suite blanket_l0_suite = {
	.name = "blanket_l0",
	.init = l0_test_init,
	.exit = l0_test_exit,
	.test_cases = blanket_l0_cases,
};

kunit_test_suite(blanket_l0_suite);
