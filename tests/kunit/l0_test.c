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

static xen_pfn_t fake_pfn_to_gfn(unsigned long pfn)
{
	return pfn + FAKE_GFN_OFFSET;
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
	blanket_evtchn_init(&fx->l0.ev, fx->l0.shared, NULL, &fx->l0);
	test->priv = fx;
	return blanket_gnttab_init(&fx->l0.gt, 1, fake_map_frame, fx);
}

static void l0_test_exit(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;

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
	KUNIT_ASSERT_EQ(test, blanket_bind_evtchn(&fx->bdev, port, l0_test_handler, fx), 0);

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

static void l0_ring_alloc_free_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	grant_ref_t refs[4];
	void *ring;
	int i;

	ring = blanket_ring_alloc(&fx->bdev, 2, refs);
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
	blanket_ring_free(&fx->bdev, ring, 2, refs);
	KUNIT_EXPECT_EQ(test, atomic64_read(&fx->bdev.grants), 0LL);
	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 0ULL);
	KUNIT_EXPECT_EQ(test, entry(fx, refs[3])->flags, 0);
}

/* The backend still maps a ring page: the ring must not be freed. */
static void l0_ring_free_while_mapped_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	grant_ref_t refs[2];
	void *ring;
	int i;

	fx->l0.gt.retry_ms = 5;
	ring = blanket_ring_alloc(&fx->bdev, 1, refs);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ring);
	entry(fx, refs[1])->flags |= GTF_reading;
	blanket_ring_free(&fx->bdev, ring, 1, refs);

	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.deferred, 1ULL);
	/* Still ours to read: nothing was freed under the backend. */
	((u8 *)ring)[PAGE_SIZE + 1] = 0x5a;

	/* The backend lets go: the reference comes back; we free the ring. */
	entry(fx, refs[1])->flags &= ~GTF_reading;
	for (i = 0; i < 100 && stats.deferred; i++) {
		msleep(20);
		blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	}
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
	free_pages((unsigned long)ring, 1);
}

static void l0_ring_alloc_exhausted_test(struct kunit *test)
{
	struct l0_fixture *fx = test->priv;
	struct blanket_gnttab_stats stats;
	grant_ref_t *refs;
	void *ring;

	/* One frame holds 512 - 8 usable references: 1024 cannot fit. */
	refs = kunit_kcalloc(test, 1024, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	ring = blanket_ring_alloc(&fx->bdev, 10, refs);
	KUNIT_EXPECT_EQ(test, PTR_ERR(ring), -ENOSPC);
	blanket_gnttab_get_stats(&fx->l0.gt, &stats);
	KUNIT_EXPECT_EQ(test, stats.in_use, 0ULL);
}

static struct kunit_case blanket_l0_cases[] = {
	KUNIT_CASE(l0_ring_alloc_free_test),
	KUNIT_CASE(l0_ring_free_while_mapped_test),
	KUNIT_CASE(l0_ring_alloc_exhausted_test),
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
