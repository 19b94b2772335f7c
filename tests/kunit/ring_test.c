// SPDX-License-Identifier: GPL-2.0
/* Ring index accounting, above all across the wrap of the u32 indices. */

#include <kunit/test.h>

#include <blanket/ring.h>

#define NEAR_WRAP 0xfffffffcU	/* four steps before the indices wrap */

static void ring_used_free_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, blanket_ring_used(10, 4), 6U);
	KUNIT_EXPECT_EQ(test, blanket_ring_space(10, 4, 32), 26U);
	KUNIT_EXPECT_EQ(test, blanket_ring_space(36, 4, 32), 0U);
	KUNIT_EXPECT_EQ(test, blanket_ring_used(7, 7), 0U);
}

static void ring_used_across_wrap_test(struct kunit *test)
{
	u32 cons = NEAR_WRAP;
	u32 prod = cons + 10;	/* wrapped to 6 */

	KUNIT_EXPECT_EQ(test, prod, 6U);
	KUNIT_EXPECT_EQ(test, blanket_ring_used(prod, cons), 10U);
	KUNIT_EXPECT_EQ(test, blanket_ring_space(prod, cons, 16), 6U);
}

static void ring_rsp_prod_valid_test(struct kunit *test)
{
	/* Exactly up to what we requested, never past it, never backwards. */
	KUNIT_EXPECT_TRUE(test, blanket_ring_rsp_prod_valid(5, 5, 9));
	KUNIT_EXPECT_TRUE(test, blanket_ring_rsp_prod_valid(9, 5, 9));
	KUNIT_EXPECT_FALSE(test, blanket_ring_rsp_prod_valid(10, 5, 9));
	KUNIT_EXPECT_FALSE(test, blanket_ring_rsp_prod_valid(4, 5, 9));
	KUNIT_EXPECT_FALSE(test, blanket_ring_rsp_prod_valid(0x80000005U, 5, 9));
}

static void ring_rsp_prod_valid_wrap_test(struct kunit *test)
{
	u32 cons = NEAR_WRAP, req = NEAR_WRAP + 8;	/* req == 4 */

	KUNIT_EXPECT_TRUE(test, blanket_ring_rsp_prod_valid(NEAR_WRAP + 2, cons, req));
	KUNIT_EXPECT_TRUE(test, blanket_ring_rsp_prod_valid(0, cons, req));
	KUNIT_EXPECT_TRUE(test, blanket_ring_rsp_prod_valid(4, cons, req));
	KUNIT_EXPECT_FALSE(test, blanket_ring_rsp_prod_valid(5, cons, req));
	KUNIT_EXPECT_FALSE(test, blanket_ring_rsp_prod_valid(NEAR_WRAP - 1, cons, req));
}

static void ring_prod_valid_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, blanket_ring_prod_valid(NEAR_WRAP + 1024, NEAR_WRAP, 1024));
	KUNIT_EXPECT_FALSE(test, blanket_ring_prod_valid(NEAR_WRAP + 1025, NEAR_WRAP, 1024));
	/* A producer behind the consumer is a huge distance, not a small one. */
	KUNIT_EXPECT_FALSE(test, blanket_ring_prod_valid(NEAR_WRAP - 1, NEAR_WRAP, 1024));
}

static void ring_need_notify_test(struct kunit *test)
{
	/* The peer wants an event when the producer passes 5. */
	KUNIT_EXPECT_TRUE(test, blanket_ring_need_notify(4, 5, 5));
	KUNIT_EXPECT_TRUE(test, blanket_ring_need_notify(2, 8, 5));
	KUNIT_EXPECT_FALSE(test, blanket_ring_need_notify(5, 8, 5));
	KUNIT_EXPECT_FALSE(test, blanket_ring_need_notify(1, 4, 5));
	/* Same questions with the batch straddling 2^32. */
	KUNIT_EXPECT_TRUE(test, blanket_ring_need_notify(NEAR_WRAP, 3, 1));
	KUNIT_EXPECT_TRUE(test, blanket_ring_need_notify(NEAR_WRAP, 3, 0xfffffffeU));
	KUNIT_EXPECT_FALSE(test, blanket_ring_need_notify(NEAR_WRAP, 3, 4));
	KUNIT_EXPECT_FALSE(test, blanket_ring_need_notify(NEAR_WRAP, 3, NEAR_WRAP));
}

static void ring_chunk_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, blanket_ring_chunk(0, 100, 1024), 100U);
	KUNIT_EXPECT_EQ(test, blanket_ring_chunk(1000, 100, 1024), 24U);
	KUNIT_EXPECT_EQ(test, blanket_ring_chunk(1024, 100, 1024), 100U);
	KUNIT_EXPECT_EQ(test, blanket_ring_chunk(0xffffffffU, 100, 1024), 1U);
	KUNIT_EXPECT_EQ(test, blanket_ring_chunk(3, 0, 1024), 0U);
}

static struct kunit_case blanket_ring_cases[] = {
	KUNIT_CASE(ring_used_free_test),
	KUNIT_CASE(ring_used_across_wrap_test),
	KUNIT_CASE(ring_rsp_prod_valid_test),
	KUNIT_CASE(ring_rsp_prod_valid_wrap_test),
	KUNIT_CASE(ring_prod_valid_test),
	KUNIT_CASE(ring_need_notify_test),
	KUNIT_CASE(ring_chunk_test),
	{}
};

static struct kunit_suite blanket_ring_suite = {
	.name = "blanket_ring",
	.test_cases = blanket_ring_cases,
};

kunit_test_suite(blanket_ring_suite);
