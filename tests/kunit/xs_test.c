// SPDX-License-Identifier: GPL-2.0
/* The xenstore client against the fake xenstored, honest and hostile. */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "fake_xenstored.h"

#define XS_TEST_TIMEOUT_MS 500

static struct fake_xenstored *xs_start(struct kunit *test)
{
	struct fake_xenstored *f = fake_xenstored_start(test, XS_TEST_TIMEOUT_MS);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	return f;
}

static void xs_read_write_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	unsigned int len = 0;
	char *value;

	KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "device/vif/0",
					       "mac", "00:16:3e:00:00:01"), 0);
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "device/vif/0", "mac", &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, value);
	KUNIT_EXPECT_STREQ(test, value, "00:16:3e:00:00:01");
	KUNIT_EXPECT_EQ(test, len, 17U);
	kfree(value);

	/* An empty node is the whole path. */
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "device/vif/0/mac", "", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, value);
	kfree(value);

	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "device/vif/0", "nope", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(value), -ENOENT);
}

static void xs_mkdir_directory_rm_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	unsigned int num = 0;
	char **names;

	KUNIT_ASSERT_EQ(test, blanket_xs_mkdir(f->xs, BLANKET_XBT_NIL, "device", "vif"), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "device/vif/0",
					       "state", "1"), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "device/vif/12",
					       "state", "1"), 0);
	names = blanket_xs_directory(f->xs, BLANKET_XBT_NIL, "device", "vif", &num);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, names);
	KUNIT_ASSERT_EQ(test, num, 2U);
	KUNIT_EXPECT_STREQ(test, names[0], "0");
	KUNIT_EXPECT_STREQ(test, names[1], "12");
	kfree(names);

	KUNIT_EXPECT_EQ(test, blanket_xs_rm(f->xs, BLANKET_XBT_NIL, "device/vif", "0"), 0);
	names = blanket_xs_directory(f->xs, BLANKET_XBT_NIL, "device", "vif", &num);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, names);
	KUNIT_EXPECT_EQ(test, num, 1U);
	kfree(names);
	KUNIT_EXPECT_EQ(test, blanket_xs_rm(f->xs, BLANKET_XBT_NIL, "device/vif", "0"),
			-ENOENT);

	/* A directory with no children is an empty list, not an error. */
	names = blanket_xs_directory(f->xs, BLANKET_XBT_NIL, "device/vif/12", "state",
				     &num);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, names);
	KUNIT_EXPECT_EQ(test, num, 0U);
	kfree(names);
}

static void xs_printf_scanf_gather_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	unsigned int a = 0, b = 0;
	char *str = NULL;
	u32 val = 0;

	KUNIT_ASSERT_EQ(test, blanket_xs_printf(f->xs, BLANKET_XBT_NIL, "be", "ring-ref",
						"%u", 4096U), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_printf(f->xs, BLANKET_XBT_NIL, "be", "pair",
						"%u:%u", 3U, 4U), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_scanf(f->xs, BLANKET_XBT_NIL, "be", "pair",
					       "%u:%u", &a, &b), 2);
	KUNIT_EXPECT_EQ(test, a, 3U);
	KUNIT_EXPECT_EQ(test, b, 4U);
	KUNIT_EXPECT_EQ(test, blanket_xs_scanf(f->xs, BLANKET_XBT_NIL, "be", "pair",
					       "x%u", &a), -ERANGE);

	KUNIT_ASSERT_EQ(test, blanket_xs_gather(f->xs, BLANKET_XBT_NIL, "be",
						"ring-ref", "%u", &a,
						"pair", NULL, &str, NULL), 0);
	KUNIT_EXPECT_EQ(test, a, 4096U);
	KUNIT_EXPECT_STREQ(test, str, "3:4");
	kfree(str);
	KUNIT_EXPECT_EQ(test, blanket_xs_gather(f->xs, BLANKET_XBT_NIL, "be",
						"ring-ref", "%u", &a,
						"missing", "%u", &b, NULL), -ENOENT);

	KUNIT_EXPECT_EQ(test, blanket_xs_read_u32(f->xs, BLANKET_XBT_NIL, "be",
						  "ring-ref", &val), 0);
	KUNIT_EXPECT_EQ(test, val, 4096U);
}

static void xs_read_u32_strict_test(struct kunit *test)
{
	static const char *const bad[] = { "12abc", "", "-1", "4294967296", " 7" };
	struct fake_xenstored *f = xs_start(test);
	unsigned int i;
	u32 val;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err;

		KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "be/v", bad[i]), 0);
		err = blanket_xs_read_u32(f->xs, BLANKET_XBT_NIL, "be", "v", &val);
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "value \"%s\"", bad[i]);
	}
}

static void xs_read_bool_test(struct kunit *test)
{
	static const char *const bad[] = { "2", "yes", "", "01x", "-1" };
	struct fake_xenstored *f = xs_start(test);
	bool val = false;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "be/feature-sg", "1"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_read_bool(f->xs, BLANKET_XBT_NIL, "be",
						   "feature-sg", false, &val), 0);
	KUNIT_EXPECT_TRUE(test, val);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "be/feature-sg", "0"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_read_bool(f->xs, BLANKET_XBT_NIL, "be",
						   "feature-sg", true, &val), 0);
	KUNIT_EXPECT_FALSE(test, val);
	/* Absent: the default, either way. */
	KUNIT_EXPECT_EQ(test, blanket_xs_read_bool(f->xs, BLANKET_XBT_NIL, "be",
						   "feature-gso", true, &val), 0);
	KUNIT_EXPECT_TRUE(test, val);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		int err;

		KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "be/feature-x", bad[i]), 0);
		val = true;
		err = blanket_xs_read_bool(f->xs, BLANKET_XBT_NIL, "be", "feature-x",
					   false, &val);
		KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "value \"%s\"", bad[i]);
	}
}

static void xs_transaction_retry_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	blanket_xbt_t t = BLANKET_XBT_NIL;
	int tries = 0, err;

	/* The caller's loop: two conflicts, then the commit goes through. */
	f->eagain = 2;
	do {
		tries++;
		KUNIT_ASSERT_EQ(test, blanket_xs_transaction_start(f->xs, &t), 0);
		KUNIT_EXPECT_NE(test, t, BLANKET_XBT_NIL);
		KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, t, "fe", "state", "4"), 0);
		err = blanket_xs_transaction_end(f->xs, t, false);
	} while (err == -EAGAIN && tries < 5);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, tries, 3);
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_start(f->xs, &t), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_end(f->xs, t, true), 0);
}

struct xs_watch_seen {
	struct blanket_xs_watch watch;
	struct blanket_xs *xs;
	int calls;
	char last[64];
};

static void xs_watch_cb(struct blanket_xs_watch *watch, const char *path)
{
	struct xs_watch_seen *seen = container_of(watch, struct xs_watch_seen, watch);

	seen->calls++;
	strscpy(seen->last, path, sizeof(seen->last));
}

static void xs_watch_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = {};
	struct blanket_xs_stats stats;

	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "backend/vif",
					       xs_watch_cb), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 1);	/* fired once when set */
	KUNIT_EXPECT_STREQ(test, seen.last, "backend/vif");

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "backend/vif/0/state", "4"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 2);
	KUNIT_EXPECT_STREQ(test, seen.last, "backend/vif/0/state");

	/* Outside the watched subtree: nothing. */
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "backend/vbd/0/state", "4"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 2);

	blanket_xs_unwatch(f->xs, &seen.watch);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "backend/vif/0/state", "5"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 2);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->watches));

	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.watch_events, 2ULL);
}

/* A callback that removes its own watch must not wait for itself. */
static void xs_watch_self_remove_cb(struct blanket_xs_watch *watch,
				    const char *path)
{
	struct xs_watch_seen *seen = container_of(watch, struct xs_watch_seen, watch);

	seen->calls++;
	blanket_xs_unwatch(seen->xs, watch);
}

static void xs_watch_remove_from_callback_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = { .xs = f->xs };

	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "fe",
					       xs_watch_self_remove_cb), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 1);
	KUNIT_EXPECT_TRUE(test, list_empty(&f->watches));
	KUNIT_EXPECT_TRUE(test, list_empty(&f->xs->watches));
}

struct xs_slow_watch {
	struct blanket_xs_watch watch;
	struct completion entered;
	bool finished;
};

static void xs_slow_cb(struct blanket_xs_watch *watch, const char *path)
{
	struct xs_slow_watch *sw = container_of(watch, struct xs_slow_watch, watch);

	complete(&sw->entered);
	msleep(200);
	WRITE_ONCE(sw->finished, true);
}

/* unwatch from another thread returns only after a running callback. */
static void xs_unwatch_waits_for_callback_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_slow_watch sw = {};

	init_completion(&sw.entered);
	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &sw.watch, "slow", xs_slow_cb), 0);
	/* The registration event is running the slow callback. */
	KUNIT_ASSERT_TRUE(test, wait_for_completion_timeout(&sw.entered, 5 * HZ));
	blanket_xs_unwatch(f->xs, &sw.watch);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(sw.finished));
}

struct xs_flood_watch {
	struct blanket_xs_watch watch;
	struct completion entered, release;
	int calls;
	char last[16];
};

static void xs_flood_cb(struct blanket_xs_watch *watch, const char *path)
{
	struct xs_flood_watch *fw = container_of(watch, struct xs_flood_watch, watch);

	strscpy(fw->last, path, sizeof(fw->last));
	if (!fw->calls++) {
		complete(&fw->entered);
		wait_for_completion_timeout(&fw->release, 10 * HZ);
	}
}

/*
 * L0 fires a watch faster than its callback keeps up: the queue stays
 * bounded, and the events that did not fit become one look at the whole
 * watched subtree, after the ones that did.
 */
static void xs_watch_flood_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	const u64 fired = 2 * BLANKET_XS_EVENTS_MAX + 1;
	struct xs_flood_watch fw = {};
	struct blanket_xs_stats stats;
	char path[16];
	int i;

	init_completion(&fw.entered);
	init_completion(&fw.release);
	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &fw.watch, "flood", xs_flood_cb), 0);
	/* The callback sits on the registration event while L0 fires. */
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&fw.entered, 5 * HZ));
	for (i = 0; i < 2 * BLANKET_XS_EVENTS_MAX; i++) {
		snprintf(path, sizeof(path), "flood/%d", i);
		KUNIT_EXPECT_EQ(test, fake_xenstored_set(f, path, "1"), 0);
	}
	for (i = 0; i < 250; i++) {
		blanket_xs_get_stats(f->xs, &stats);
		if (stats.watch_events == fired)
			break;
		flush_work(&f->xs->read_work);
		msleep(20);
	}
	KUNIT_EXPECT_EQ(test, stats.watch_events, fired);
	KUNIT_EXPECT_EQ(test, stats.watch_overflow, (u64)BLANKET_XS_EVENTS_MAX);

	complete(&fw.release);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, fw.calls, BLANKET_XS_EVENTS_MAX + 2);
	KUNIT_EXPECT_STREQ(test, fw.last, "flood");
	blanket_xs_unwatch(f->xs, &fw.watch);
}

struct xs_worker {
	struct fake_xenstored *f;
	struct completion done;
	int id;
	int failures;
};

static int xs_worker_fn(void *data)
{
	struct xs_worker *w = data;
	char key[16], want[32];
	int i;

	for (i = 0; i < 25; i++) {
		char *got;

		snprintf(key, sizeof(key), "w%d", w->id);
		snprintf(want, sizeof(want), "worker %d round %d", w->id, i);
		if (blanket_xs_write(w->f->xs, BLANKET_XBT_NIL, "conc", key, want)) {
			w->failures++;
			continue;
		}
		got = blanket_xs_read(w->f->xs, BLANKET_XBT_NIL, "conc", key, NULL);
		if (IS_ERR(got) || strcmp(got, want))
			w->failures++;
		if (!IS_ERR(got))
			kfree(got);
	}
	complete(&w->done);
	return 0;
}

static void xs_concurrent_callers_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_worker workers[4];
	struct blanket_xs_stats stats;
	int i;

	for (i = 0; i < ARRAY_SIZE(workers); i++) {
		workers[i] = (struct xs_worker){ .f = f, .id = i };
		init_completion(&workers[i].done);
		KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(xs_worker_fn, &workers[i],
							    "xs_test%d", i)));
	}
	for (i = 0; i < ARRAY_SIZE(workers); i++) {
		wait_for_completion(&workers[i].done);
		KUNIT_EXPECT_EQ(test, workers[i].failures, 0);
	}
	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.requests, 200ULL);
	KUNIT_EXPECT_EQ(test, stats.unmatched, 0ULL);
}

/* Messages bigger than the 1 KiB rings, both ways, in pieces. */
static void xs_large_messages_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	char *big, *got, **names, name[24];
	unsigned int i, num = 0, len = 0;

	big = kunit_kzalloc(test, 3001, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	for (i = 0; i < 3000; i++)
		big[i] = 'a' + i % 26;
	KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "big", "v", big), 0);
	got = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "big", "v", &len);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, got);
	KUNIT_EXPECT_EQ(test, len, 3000U);
	KUNIT_EXPECT_STREQ(test, got, big);
	kfree(got);

	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "entry-with-long-name-%u", i);
		KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "dir",
						       name, "x"), 0);
	}
	names = blanket_xs_directory(f->xs, BLANKET_XBT_NIL, "dir", "", &num);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, names);
	KUNIT_EXPECT_EQ(test, num, 100U);
	KUNIT_EXPECT_STREQ(test, names[99], "entry-with-long-name-99");
	kfree(names);

	/* Over XENSTORE_PAYLOAD_MAX: refused before anything is sent. */
	big = kunit_kzalloc(test, XENSTORE_PAYLOAD_MAX + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, big);
	memset(big, 'x', XENSTORE_PAYLOAD_MAX);
	i = f->requests;
	KUNIT_EXPECT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "big", "v", big),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, f->requests, i);
}

static void xs_bad_path_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	unsigned int before = f->requests;

	KUNIT_EXPECT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "a//b", "c", "1"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "a", "../b", "1"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_mkdir(f->xs, BLANKET_XBT_NIL, "a b", ""), -EINVAL);
	KUNIT_EXPECT_EQ(test, f->requests, before);
}

/* Faults after which the connection must be given up. */
static void xs_fatal(struct kunit *test, enum fake_xs_fault fault)
{
	struct fake_xenstored *f = xs_start(test);
	char *value;

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "k", "v"), 0);
	f->fault = fault;
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "k", "", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(value), -EIO);
	KUNIT_EXPECT_TRUE(test, blanket_xs_broken(f->xs));
	/* And stays given up, even though the fake would answer now. */
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "k", "", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(value), -EIO);
}

static void xs_oversize_reply_test(struct kunit *test)
{
	xs_fatal(test, FAKE_XS_OVERSIZE);
}

static void xs_unknown_type_test(struct kunit *test)
{
	xs_fatal(test, FAKE_XS_UNKNOWN_TYPE);
}

static void xs_bad_ring_index_test(struct kunit *test)
{
	xs_fatal(test, FAKE_XS_BAD_INDEX);
}

/* Faults that fail one request and leave the connection working. */
static struct fake_xenstored *xs_recoverable(struct kunit *test,
					     enum fake_xs_fault fault, int err)
{
	struct fake_xenstored *f = xs_start(test);
	char **names, *value;
	unsigned int num;

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "d/k", "v"), 0);
	f->fault = fault;
	names = blanket_xs_directory(f->xs, BLANKET_XBT_NIL, "d", "", &num);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(names), err);
	if (!IS_ERR(names))
		kfree(names);
	f->fault = FAKE_XS_NONE;
	KUNIT_EXPECT_FALSE(test, blanket_xs_broken(f->xs));
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "d/k", "", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, value);
	KUNIT_EXPECT_STREQ(test, value, "v");
	kfree(value);
	return f;
}

static void xs_error_reply_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_recoverable(test, FAKE_XS_ERROR, -EACCES);
	struct blanket_xs_stats stats;

	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.errors, 1ULL);
}

static void xs_wrong_type_test(struct kunit *test)
{
	xs_recoverable(test, FAKE_XS_WRONG_TYPE, -EPROTO);
}

static void xs_unterminated_test(struct kunit *test)
{
	xs_recoverable(test, FAKE_XS_UNTERMINATED, -EPROTO);
}

static void xs_bad_name_test(struct kunit *test)
{
	xs_recoverable(test, FAKE_XS_BAD_NAME, -EPROTO);
}

static void xs_silent_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_recoverable(test, FAKE_XS_SILENT, -ETIMEDOUT);
	struct blanket_xs_stats stats;

	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.timeouts, 1ULL);
}

/* xs_timeout_ms=0 is the shortest wait there is, not none at all. */
static void xs_zero_timeout_test(struct kunit *test)
{
	struct fake_xenstored *f = fake_xenstored_start(test, 0);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, f);
	KUNIT_EXPECT_GE(test, f->xs->timeout, 1UL);
}

static void xs_wrong_req_id_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct blanket_xs_stats stats;
	char *value;

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "k", "v"), 0);
	f->fault = FAKE_XS_WRONG_REQ_ID;
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "k", "", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(value), -ETIMEDOUT);
	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.unmatched, 1ULL);
	KUNIT_EXPECT_EQ(test, stats.timeouts, 1ULL);
	KUNIT_EXPECT_FALSE(test, blanket_xs_broken(f->xs));
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "k", "", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, value);
	kfree(value);
}

static void xs_bad_txid_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	blanket_xbt_t t;

	f->fault = FAKE_XS_BAD_TXID;
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_start(f->xs, &t), -EPROTO);
	f->fault = FAKE_XS_UNTERMINATED;
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_start(f->xs, &t), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_start(f->xs, &t), 0);
}

static void xs_hostile_watch_event(struct kunit *test, enum fake_xs_fault fault)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = {};
	struct blanket_xs_stats stats;

	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "device",
					       xs_watch_cb), 0);
	f->fault = fault;
	KUNIT_ASSERT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "x", "", "1"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 1);	/* only the registration event */
	blanket_xs_get_stats(f->xs, &stats);
	KUNIT_EXPECT_EQ(test, stats.watch_dropped, 1ULL);
	blanket_xs_unwatch(f->xs, &seen.watch);
}

static void xs_watch_bad_token_test(struct kunit *test)
{
	xs_hostile_watch_event(test, FAKE_XS_BAD_TOKEN);
}

static void xs_watch_outside_path_test(struct kunit *test)
{
	xs_hostile_watch_event(test, FAKE_XS_OUTSIDE_PATH);
}

/* A caller on a thread of its own, to see whether a save holds it. */
struct xs_async {
	struct fake_xenstored *f;
	struct xs_watch_seen seen;
	struct completion done;
	char *value;
	int err;
};

static int xs_async_read_fn(void *data)
{
	struct xs_async *a = data;

	a->value = blanket_xs_read(a->f->xs, BLANKET_XBT_NIL, "held", "node", NULL);
	complete(&a->done);
	return 0;
}

static int xs_async_suspend_fn(void *data)
{
	struct xs_async *a = data;

	a->err = blanket_xs_suspend(a->f->xs);
	complete(&a->done);
	return 0;
}

static int xs_async_watch_fn(void *data)
{
	struct xs_async *a = data;

	a->err = blanket_xs_watch(a->f->xs, &a->seen.watch, "late", xs_watch_cb);
	complete(&a->done);
	return 0;
}

static void xs_async_start(struct kunit *test, struct xs_async *a,
			   int (*fn)(void *data))
{
	init_completion(&a->done);
	KUNIT_ASSERT_FALSE(test, IS_ERR(kthread_run(fn, a, "xs_async")));
}

/* xs_async_read_fn() read @value, once it returns. */
static void xs_async_read_is(struct kunit *test, struct xs_async *a,
			     const char *value)
{
	wait_for_completion(&a->done);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, a->value);
	KUNIT_EXPECT_STREQ(test, a->value, value);
	kfree(a->value);
}

/* Whether @a is still waiting, after giving it time not to. */
static bool xs_async_waits(struct xs_async *a)
{
	return !wait_for_completion_timeout(&a->done, msecs_to_jiffies(50));
}

/* Bytes into the reply ring, as L0's xenstored writes them. */
static void xs_put_reply_bytes(struct fake_xenstored *f, const void *data, u32 len)
{
	const char *p = data;
	u32 i;

	mutex_lock(&f->lock);
	for (i = 0; i < len; i++)
		f->intf->rsp[MASK_XENSTORE_IDX(f->intf->rsp_prod + i)] = p[i];
	f->intf->rsp_prod += len;
	mutex_unlock(&f->lock);
	blanket_xs_event(f->xs);
	fake_xenstored_settle(f);
}

/*
 * L0 saves the machine and restores it under another xenstored: a request
 * made meanwhile waits and then goes to the new one, half a message read
 * before is forgotten, and our watch is set again.
 */
static void xs_restore_test(struct kunit *test)
{
	const struct xsd_sockmsg half = { .type = XS_WATCH_EVENT, .len = 20 };
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = {};
	struct xs_async a = { .f = f };

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "held/node", "v"), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "backend",
					       xs_watch_cb), 0);
	xs_put_reply_bytes(f, &half, sizeof(half));
	KUNIT_ASSERT_EQ(test, seen.calls, 1);

	KUNIT_ASSERT_EQ(test, blanket_xs_suspend(f->xs), 0);
	xs_async_start(test, &a, xs_async_read_fn);
	KUNIT_EXPECT_TRUE(test, xs_async_waits(&a));
	fake_xenstored_restore(f);
	blanket_xs_reset(f->xs);
	KUNIT_EXPECT_EQ(test, blanket_xs_resume(f->xs, true), 0);
	xs_async_read_is(test, &a, "v");

	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, fake_xenstored_watches(f), 1U);
	KUNIT_EXPECT_EQ(test, seen.calls, 2);	/* fired once when set again */
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "backend/vbd/0/state", "4"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, seen.calls, 3);
	KUNIT_EXPECT_STREQ(test, seen.last, "backend/vbd/0/state");
	KUNIT_EXPECT_FALSE(test, blanket_xs_broken(f->xs));
	blanket_xs_unwatch(f->xs, &seen.watch);
}

/*
 * L0 restores the machine without asking, under another xenstored: the
 * request the old one never answered goes to the new one (not waiting
 * for a reply that cannot come), and our watch is set again.
 */
static void xs_unasked_restore_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = {};
	struct xs_async a = { .f = f };
	unsigned int requests;
	int i;

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "held/node", "v"), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "backend",
					       xs_watch_cb), 0);
	fake_xenstored_settle(f);
	requests = f->requests;
	f->fault = FAKE_XS_SILENT;
	xs_async_start(test, &a, xs_async_read_fn);
	for (i = 0; i < 100 && READ_ONCE(f->requests) == requests; i++)
		msleep(20);
	KUNIT_EXPECT_TRUE(test, xs_async_waits(&a));

	blanket_xs_lose(f->xs);
	fake_xenstored_restore(f);
	mutex_lock(&f->lock);
	f->fault = FAKE_XS_NONE;
	mutex_unlock(&f->lock);
	blanket_xs_reset(f->xs);
	KUNIT_EXPECT_EQ(test, blanket_xs_resume(f->xs, true), 0);
	xs_async_read_is(test, &a, "v");
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, fake_xenstored_watches(f), 1U);
	KUNIT_EXPECT_FALSE(test, blanket_xs_broken(f->xs));
	blanket_xs_unwatch(f->xs, &seen.watch);
}

struct xs_restored_tx {
	struct kunit *test;
	struct fake_xenstored *f;
	int calls;
};

/*
 * The first time through, L0 restores the machine unasked under another
 * xenstored, which refuses the transaction it never started.
 */
static int xs_restored_tx_fn(struct blanket_xs *xs, blanket_xbt_t t, void *ctx)
{
	struct xs_restored_tx *r = ctx;

	if (!r->calls++) {
		blanket_xs_lose(xs);
		fake_xenstored_restore(r->f);
		blanket_xs_reset(xs);
		KUNIT_EXPECT_EQ(r->test, blanket_xs_resume(xs, true), 0);
		r->f->fault = FAKE_XS_ERROR;
	}
	return blanket_xs_write(xs, t, "fe", "state", "4");
}

/* A transaction the restore took away is started over, not failed. */
static void xs_unasked_restore_transaction_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_restored_tx r = { .test = test, .f = f };
	char *value;

	KUNIT_EXPECT_EQ(test, blanket_xs_transact(f->xs, xs_restored_tx_fn, &r), 0);
	KUNIT_EXPECT_EQ(test, r.calls, 2);
	value = blanket_xs_read(f->xs, BLANKET_XBT_NIL, "fe", "state", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, value);
	KUNIT_EXPECT_STREQ(test, value, "4");
	kfree(value);
}

/*
 * A save waits for an open transaction, whose requests go on meanwhile;
 * one that stays open past the timeout stops the save. A cancelled save
 * leaves the connection as it was: nothing is sent again.
 */
static void xs_suspend_waits_for_transaction_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_watch_seen seen = {};
	struct xs_async a = { .f = f };
	unsigned int requests;
	blanket_xbt_t t;

	KUNIT_ASSERT_EQ(test, blanket_xs_watch(f->xs, &seen.watch, "backend",
					       xs_watch_cb), 0);
	KUNIT_ASSERT_EQ(test, blanket_xs_transaction_start(f->xs, &t), 0);
	xs_async_start(test, &a, xs_async_suspend_fn);
	KUNIT_EXPECT_TRUE(test, xs_async_waits(&a));
	KUNIT_EXPECT_EQ(test, blanket_xs_write(f->xs, t, "fe", "state", "4"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_end(f->xs, t, false), 0);
	wait_for_completion(&a.done);
	KUNIT_EXPECT_EQ(test, a.err, 0);

	requests = f->requests;
	KUNIT_EXPECT_EQ(test, blanket_xs_resume(f->xs, false), 0);
	KUNIT_EXPECT_EQ(test, f->requests, requests);
	KUNIT_EXPECT_EQ(test, fake_xenstored_watches(f), 1U);

	KUNIT_ASSERT_EQ(test, blanket_xs_transaction_start(f->xs, &t), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_suspend(f->xs), -EBUSY);
	KUNIT_EXPECT_EQ(test, blanket_xs_write(f->xs, BLANKET_XBT_NIL, "fe", "x", "1"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_transaction_end(f->xs, t, true), 0);
	blanket_xs_unwatch(f->xs, &seen.watch);
}

/*
 * A watch listed while a save holds its XS_WATCH is set by the restore's
 * rewatch; its own XS_WATCH then finds it set, which is no error.
 */
static void xs_watch_held_by_restore_test(struct kunit *test)
{
	struct fake_xenstored *f = xs_start(test);
	struct xs_async a = { .f = f };
	bool listed = false;
	int i;

	KUNIT_ASSERT_EQ(test, blanket_xs_suspend(f->xs), 0);
	xs_async_start(test, &a, xs_async_watch_fn);
	for (i = 0; i < 100 && !listed; i++) {
		msleep(20);
		mutex_lock(&f->xs->watch_lock);
		listed = !list_empty(&f->xs->watches);
		mutex_unlock(&f->xs->watch_lock);
	}
	KUNIT_EXPECT_TRUE(test, listed);
	KUNIT_EXPECT_TRUE(test, xs_async_waits(&a));
	fake_xenstored_restore(f);
	blanket_xs_reset(f->xs);
	KUNIT_EXPECT_EQ(test, blanket_xs_resume(f->xs, true), 0);
	wait_for_completion(&a.done);
	KUNIT_ASSERT_EQ(test, a.err, 0);

	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, fake_xenstored_watches(f), 1U);
	KUNIT_EXPECT_EQ(test, a.seen.calls, 1);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(f, "late/x", "1"), 0);
	fake_xenstored_settle(f);
	KUNIT_EXPECT_EQ(test, a.seen.calls, 2);
	blanket_xs_unwatch(f->xs, &a.seen.watch);
}

static struct kunit_case blanket_xs_cases[] = {
	KUNIT_CASE(xs_read_write_test),
	KUNIT_CASE(xs_mkdir_directory_rm_test),
	KUNIT_CASE(xs_printf_scanf_gather_test),
	KUNIT_CASE(xs_read_u32_strict_test),
	KUNIT_CASE(xs_read_bool_test),
	KUNIT_CASE(xs_transaction_retry_test),
	KUNIT_CASE(xs_watch_test),
	KUNIT_CASE(xs_watch_remove_from_callback_test),
	KUNIT_CASE(xs_unwatch_waits_for_callback_test),
	KUNIT_CASE(xs_watch_flood_test),
	KUNIT_CASE(xs_concurrent_callers_test),
	KUNIT_CASE(xs_large_messages_test),
	KUNIT_CASE(xs_bad_path_test),
	KUNIT_CASE(xs_oversize_reply_test),
	KUNIT_CASE(xs_unknown_type_test),
	KUNIT_CASE(xs_bad_ring_index_test),
	KUNIT_CASE(xs_error_reply_test),
	KUNIT_CASE(xs_wrong_type_test),
	KUNIT_CASE(xs_unterminated_test),
	KUNIT_CASE(xs_bad_name_test),
	KUNIT_CASE(xs_silent_test),
	KUNIT_CASE(xs_zero_timeout_test),
	KUNIT_CASE(xs_wrong_req_id_test),
	KUNIT_CASE(xs_bad_txid_test),
	KUNIT_CASE(xs_watch_bad_token_test),
	KUNIT_CASE(xs_watch_outside_path_test),
	KUNIT_CASE(xs_restore_test),
	KUNIT_CASE(xs_unasked_restore_test),
	KUNIT_CASE(xs_unasked_restore_transaction_test),
	KUNIT_CASE(xs_suspend_waits_for_transaction_test),
	KUNIT_CASE(xs_watch_held_by_restore_test),
	{}
};

static struct kunit_suite blanket_xs_suite = {
	.name = "blanket_xs",
	.test_cases = blanket_xs_cases,
};

kunit_test_suite(blanket_xs_suite);
