// SPDX-License-Identifier: GPL-2.0
/*
 * Event channel demultiplexing against a fake L0 that sets bits in a
 * shared info page the way Xen's 2-level ABI does.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <asm/sync_bitops.h>

#include "blanket_xenbus/evtchn.h"
#include "fake_l0.h"

struct evtchn_fixture {
	struct shared_info *s;
	struct blanket_evtchn ev;
	int unmask_calls;
	int calls[256];
	bool work;		/* what the handlers report */
};

/* EVTCHNOP_unmask, counted. */
static int fake_unmask(void *ctx, evtchn_port_t port)
{
	struct evtchn_fixture *fx = ctx;

	fx->unmask_calls++;
	fake_evtchn_unmask(fx->s, port);
	return 0;
}

static bool count_handler(evtchn_port_t port, void *data)
{
	struct evtchn_fixture *fx = data;

	if (port < ARRAY_SIZE(fx->calls))
		fx->calls[port]++;
	return fx->work;
}

/* The backend answers while the port is masked for its handler. */
static bool raise_again_handler(evtchn_port_t port, void *data)
{
	struct evtchn_fixture *fx = data;

	if (fx->calls[port]++ == 0)
		fake_evtchn_raise(fx->s, port);
	return true;
}

static int evtchn_test_init(struct kunit *test)
{
	struct evtchn_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	fx->s = kunit_kzalloc(test, sizeof(*fx->s), GFP_KERNEL);
	if (!fx->s)
		return -ENOMEM;
	/* Xen starts every port masked. */
	memset(fx->s->evtchn_mask, 0xff, sizeof(fx->s->evtchn_mask));
	fx->work = true;
	blanket_evtchn_init(&fx->ev, fx->s, fake_unmask, fx);
	test->priv = fx;
	return 0;
}

static void evtchn_test_exit(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	unsigned long port;
	void *p;

	xa_for_each(&fx->ev.ports, port, p)
		blanket_evtchn_unbind(&fx->ev, port);
	blanket_evtchn_destroy(&fx->ev);
}

static void evtchn_deliver_test(struct kunit *test)
{
	static const evtchn_port_t ports[] = { 1, 3, 63, 64, 65, 130, 255 };
	struct evtchn_fixture *fx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ports); i++)
		KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, ports[i],
							  count_handler, fx), 0);
	for (i = 0; i < ARRAY_SIZE(ports); i++)
		fake_evtchn_raise(fx->s, ports[i]);
	blanket_evtchn_upcall(&fx->ev);

	for (i = 0; i < ARRAY_SIZE(ports); i++) {
		KUNIT_EXPECT_EQ(test, fx->calls[ports[i]], 1);
		/* Handled, cleared and open for the next event. */
		KUNIT_EXPECT_FALSE(test, sync_test_bit(ports[i], fx->s->evtchn_pending));
		KUNIT_EXPECT_FALSE(test, sync_test_bit(ports[i], fx->s->evtchn_mask));
	}
	KUNIT_EXPECT_EQ(test, fx->calls[2], 0);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_pending_sel, 0UL);
}

static void evtchn_masked_edge_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 5, count_handler, fx), 0);
	/* Raised while masked: no upcall, but not lost either. */
	sync_set_bit(5, fx->s->evtchn_mask);
	fake_evtchn_raise(fx->s, 5);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	blanket_evtchn_unbind(&fx->ev, 5);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 5, count_handler, fx), 0);
	KUNIT_EXPECT_EQ(test, fx->unmask_calls, 1);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 1);
	blanket_evtchn_upcall(&fx->ev);
	KUNIT_EXPECT_EQ(test, fx->calls[5], 1);
}

static void evtchn_raised_during_handler_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 11, raise_again_handler, fx), 0);
	fake_evtchn_raise(fx->s, 11);
	blanket_evtchn_upcall(&fx->ev);
	/* Not lost: the unmask had L0 raise it again, within the same upcall. */
	KUNIT_EXPECT_EQ(test, fx->calls[11], 2);
	KUNIT_EXPECT_EQ(test, fx->unmask_calls, 1);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(11, fx->s->evtchn_mask));
	KUNIT_EXPECT_FALSE(test, sync_test_bit(11, fx->s->evtchn_pending));
}

static void evtchn_unbound_port_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct blanket_evtchn_stats stats;

	/* A hostile L0 unmasks nothing for us: fake an unmasked stray port. */
	sync_clear_bit(9, fx->s->evtchn_mask);
	fake_evtchn_raise(fx->s, 9);
	blanket_evtchn_upcall(&fx->ev);
	blanket_evtchn_get_stats(&fx->ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.unbound, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.events, 0ULL);
	/* It stays masked, so it cannot fire again. */
	KUNIT_EXPECT_TRUE(test, sync_test_bit(9, fx->s->evtchn_mask));
	fake_evtchn_raise(fx->s, 9);
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 0);
}

static void evtchn_bind_errors_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, EVTCHN_2L_NR_CHANNELS,
						  count_handler, fx), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, NULL, fx), -EINVAL);
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, count_handler, fx), 0);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_bind(&fx->ev, 1, count_handler, fx), -EBUSY);
}

static void evtchn_unbind_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 7, count_handler, fx), 0);
	blanket_evtchn_unbind(&fx->ev, 7);
	KUNIT_EXPECT_TRUE(test, sync_test_bit(7, fx->s->evtchn_mask));
	fake_evtchn_raise(fx->s, 7);
	blanket_evtchn_upcall(&fx->ev);
	KUNIT_EXPECT_EQ(test, fx->calls[7], 0);
}

static void evtchn_account_test(struct kunit *test)
{
	struct blanket_evtchn_port p = {};
	unsigned int i, delay;

	for (i = 1; i < BLANKET_EVTCHN_SPURIOUS_MAX; i++)
		KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 0U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 1U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 2U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 4U);
	for (i = 0; i < 20; i++)
		delay = blanket_evtchn_account(&p, false);
	KUNIT_EXPECT_EQ(test, delay, (unsigned int)BLANKET_EVTCHN_BACKOFF_MAX_MS);
	/* Work resets it all. */
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, true), 0U);
	KUNIT_EXPECT_EQ(test, blanket_evtchn_account(&p, false), 0U);
}

/* L0 floods a port with events that carry no work. */
static void evtchn_spurious_flood_test(struct kunit *test)
{
	struct evtchn_fixture *fx = test->priv;
	struct blanket_evtchn_stats stats;
	int i, calls;

	fx->work = false;
	KUNIT_ASSERT_EQ(test, blanket_evtchn_bind(&fx->ev, 20, count_handler, fx), 0);
	for (i = 0; i < 1000; i++) {
		fake_evtchn_raise(fx->s, 20);
		blanket_evtchn_upcall(&fx->ev);
	}
	/*
	 * From the 8th empty event on the port reopens after 1, 2, 4 ... ms:
	 * however long the loop took, only a handful of the 1000 got through.
	 */
	calls = fx->calls[20];
	KUNIT_EXPECT_GE(test, calls, BLANKET_EVTCHN_SPURIOUS_MAX);
	KUNIT_EXPECT_LT(test, calls, BLANKET_EVTCHN_SPURIOUS_MAX + 12);
	blanket_evtchn_get_stats(&fx->ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.throttled, (u64)(calls - BLANKET_EVTCHN_SPURIOUS_MAX + 1));

	/* After the back-off the port opens, and the lost edge is raised again. */
	for (i = 0; i < 150 && sync_test_bit(20, fx->s->evtchn_mask); i++)
		msleep(20);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(20, fx->s->evtchn_mask));
	KUNIT_EXPECT_EQ(test, fx->s->vcpu_info[0].evtchn_upcall_pending, 1);
	fx->work = true;
	blanket_evtchn_upcall(&fx->ev);
	KUNIT_EXPECT_EQ(test, fx->calls[20], calls + 1);
	KUNIT_EXPECT_FALSE(test, sync_test_bit(20, fx->s->evtchn_mask));
}

static struct kunit_case blanket_evtchn_cases[] = {
	KUNIT_CASE(evtchn_deliver_test),
	KUNIT_CASE(evtchn_masked_edge_test),
	KUNIT_CASE(evtchn_raised_during_handler_test),
	KUNIT_CASE(evtchn_unbound_port_test),
	KUNIT_CASE(evtchn_bind_errors_test),
	KUNIT_CASE(evtchn_unbind_test),
	KUNIT_CASE(evtchn_account_test),
	KUNIT_CASE(evtchn_spurious_flood_test),
	{}
};

static struct kunit_suite blanket_evtchn_suite = {
	.name = "blanket_evtchn",
	.init = evtchn_test_init,
	.exit = evtchn_test_exit,
	.test_cases = blanket_evtchn_cases,
};

kunit_test_suite(blanket_evtchn_suite);
