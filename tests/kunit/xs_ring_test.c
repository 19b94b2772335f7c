// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore byte rings against a fake xenstored that owns the other
 * half of the page: it consumes requests and produces replies by hand.
 */

#include <kunit/test.h>

#include "blanket_xenbus/xs_ring.h"

struct xs_ring_fixture {
	struct xenstore_domain_interface *intf;
	struct blanket_xs_ring ring;
};

static int xs_ring_test_init(struct kunit *test)
{
	struct xs_ring_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->intf = kunit_kzalloc(test, sizeof(*f->intf), GFP_KERNEL);
	if (!f->intf)
		return -ENOMEM;
	test->priv = f;
	return 0;
}

/* Start both rings at @idx, as if that much traffic had gone before. */
static void xs_ring_start_at(struct xs_ring_fixture *f, u32 idx)
{
	f->intf->req_cons = idx;
	f->intf->req_prod = idx;
	f->intf->rsp_cons = idx;
	f->intf->rsp_prod = idx;
	blanket_xs_ring_init(&f->ring, f->intf);
}

/* The fake xenstored's side: publish @len reply bytes. */
static void fake_xenstored_reply(struct xs_ring_fixture *f, const char *data,
				 u32 len)
{
	u32 i;

	for (i = 0; i < len; i++)
		f->intf->rsp[MASK_XENSTORE_IDX(f->intf->rsp_prod + i)] = data[i];
	f->intf->rsp_prod += len;
}

static void xs_ring_write_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;

	xs_ring_start_at(f, 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "hello", 5), 5);
	KUNIT_EXPECT_EQ(test, f->intf->req_prod, 5U);
	KUNIT_EXPECT_EQ(test, memcmp(f->intf->req, "hello", 5), 0);
}

static void xs_ring_write_wrap_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;
	u32 start = 0xfffffffeU;	/* slot 1022, two bytes before both wraps */

	xs_ring_start_at(f, start);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "abcdef", 6), 6);
	KUNIT_EXPECT_EQ(test, f->intf->req_prod, 4U);
	KUNIT_EXPECT_EQ(test, memcmp(f->intf->req + 1022, "ab", 2), 0);
	KUNIT_EXPECT_EQ(test, memcmp(f->intf->req, "cdef", 4), 0);
}

static void xs_ring_write_full_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;
	char *buf = kunit_kzalloc(test, XENSTORE_RING_SIZE + 10, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	xs_ring_start_at(f, 100);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, buf, XENSTORE_RING_SIZE + 10),
			XENSTORE_RING_SIZE);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, buf, 1), 0);
	/* xenstored consumes three bytes: exactly three fit again. */
	f->intf->req_cons += 3;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, buf, 10), 3);
}

static void xs_ring_read_wrap_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;
	char buf[8] = {};

	xs_ring_start_at(f, 1021);
	fake_xenstored_reply(f, "0123456", 7);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_avail(&f->ring), 7);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_read(&f->ring, buf, 4), 4);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "0123", 4), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_read(&f->ring, buf, sizeof(buf)), 3);
	KUNIT_EXPECT_EQ(test, memcmp(buf, "456", 3), 0);
	KUNIT_EXPECT_EQ(test, f->intf->rsp_cons, 1028U);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_read(&f->ring, buf, sizeof(buf)), 0);
}

static void xs_ring_hostile_req_cons_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;

	xs_ring_start_at(f, 50);
	/* xenstored claims to have consumed bytes we never wrote. */
	f->intf->req_cons = 51;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "x", 1), -EIO);
	/* Or to be more than a ring behind. */
	f->intf->req_cons = 50 - XENSTORE_RING_SIZE - 1;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "x", 1), -EIO);
	KUNIT_EXPECT_EQ(test, f->intf->req_prod, 50U);
}

static void xs_ring_hostile_rsp_prod_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;
	char buf[4];

	xs_ring_start_at(f, 0xfffffff0U);
	f->intf->rsp_prod = 0xfffffff0U + XENSTORE_RING_SIZE + 1;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_avail(&f->ring), -EIO);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_read(&f->ring, buf, sizeof(buf)), -EIO);
	/* Moving backwards is as bad as running too far ahead. */
	f->intf->rsp_prod = 0xffffffefU;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_read(&f->ring, buf, sizeof(buf)), -EIO);
	KUNIT_EXPECT_EQ(test, f->intf->rsp_cons, 0xfffffff0U);
}

static void xs_ring_private_indexes_test(struct kunit *test)
{
	struct xs_ring_fixture *f = test->priv;

	xs_ring_start_at(f, 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "ab", 2), 2);
	/* L0 scribbles on our producer: we carry on from where we were. */
	f->intf->req_prod = 700;
	KUNIT_EXPECT_EQ(test, blanket_xs_ring_write(&f->ring, "cd", 2), 2);
	KUNIT_EXPECT_EQ(test, f->intf->req_prod, 4U);
	KUNIT_EXPECT_EQ(test, memcmp(f->intf->req, "abcd", 4), 0);
}

static struct kunit_case blanket_xs_ring_cases[] = {
	KUNIT_CASE(xs_ring_write_test),
	KUNIT_CASE(xs_ring_write_wrap_test),
	KUNIT_CASE(xs_ring_write_full_test),
	KUNIT_CASE(xs_ring_read_wrap_test),
	KUNIT_CASE(xs_ring_hostile_req_cons_test),
	KUNIT_CASE(xs_ring_hostile_rsp_prod_test),
	KUNIT_CASE(xs_ring_private_indexes_test),
	{}
};

static struct kunit_suite blanket_xs_ring_suite = {
	.name = "blanket_xs_ring",
	.init = xs_ring_test_init,
	.test_cases = blanket_xs_ring_cases,
};

kunit_test_suite(blanket_xs_ring_suite);
