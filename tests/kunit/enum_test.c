// SPDX-License-Identifier: GPL-2.0
/*
 * Enumeration of L0's device/<type>/<id> nodes and the XenbusState
 * handshake, against the fake xenstored. The device type is "kvif" so
 * that blanket_net, loaded in the same kernel, never binds these.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/slab.h>

#include "blanket_xenbus/bus.h"
#include "blanket_xenbus/enum.h"
#include "fake_xenstored.h"

#define BE "/local/domain/0/backend/kvif/5"

static struct {
	int probed;
	int removed;
	int changes;
	enum xenbus_state last;
	enum xenbus_state history[16];
	bool connect;		/* answer InitWait as the drivers do */
	int connects;
	bool close_in_remove;	/* say Closed on removal, as the drivers do */
	int close_err;
} enum_seen;

static int enum_probe(struct blanket_device *bdev,
		      const struct blanket_device_id *id)
{
	enum_seen.probed++;
	return 0;
}

static void enum_remove(struct blanket_device *bdev)
{
	enum_seen.removed++;
	if (enum_seen.close_in_remove)
		enum_seen.close_err = blanket_switch_state(bdev, XenbusStateClosed);
}

static void enum_otherend_changed(struct blanket_device *bdev,
				  enum xenbus_state state)
{
	if (enum_seen.changes < ARRAY_SIZE(enum_seen.history))
		enum_seen.history[enum_seen.changes] = state;
	enum_seen.changes++;
	enum_seen.last = state;
	/* Like blanket_net: connect to a backend in InitWait, unless we are. */
	if (enum_seen.connect && state == XenbusStateInitWait &&
	    (bdev->state == XenbusStateInitialising ||
	     bdev->state == XenbusStateClosed) &&
	    !blanket_switch_state(bdev, XenbusStateConnected))
		enum_seen.connects++;
}

static const struct blanket_device_id enum_ids[] = {
	{ "kvif" },
	{ "" }
};

static struct blanket_driver enum_driver = {
	.driver.name = "blanket_enum_test",
	.ids = enum_ids,
	.probe = enum_probe,
	.remove = enum_remove,
	.otherend_changed = enum_otherend_changed,
};

struct enum_fixture {
	struct fake_xenstored *f;
	struct blanket_enum e;
	bool started;
};

static int enum_test_init(struct kunit *test)
{
	struct enum_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	memset(&enum_seen, 0, sizeof(enum_seen));
	fx->f = fake_xenstored_start(test, 500);
	if (!fx->f)
		return -ENOMEM;
	test->priv = fx;
	/* No owner: KUnit runs us before our module's sysfs exists. */
	return __blanket_register_driver(&enum_driver, NULL, NULL);
}

static void enum_test_exit(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;

	/* Also after a failed assertion: no device may outlive its test. */
	if (fx->started)
		blanket_enum_stop(&fx->e);
	blanket_unregister_driver(&enum_driver);
}

/* L0's toolstack creating device/kvif/<id> with its backend. */
static void enum_add_node(struct kunit *test, const char *id,
			  const char *backend_id, const char *backend)
{
	struct enum_fixture *fx = test->priv;
	char path[64];

	snprintf(path, sizeof(path), "device/kvif/%s/backend-id", id);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, path, backend_id), 0);
	snprintf(path, sizeof(path), "device/kvif/%s/backend", id);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, path, backend), 0);
	snprintf(path, sizeof(path), "device/kvif/%s/state", id);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, path, "1"), 0);
}

static void enum_start(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;

	KUNIT_ASSERT_EQ(test, blanket_enum_start(&fx->e, fx->f->xs, NULL), 0);
	fx->started = true;
	fake_xenstored_settle(fx->f);
}

static bool enum_has(u32 id)
{
	struct blanket_device *bdev = blanket_bus_find_device("kvif", id);

	if (bdev)
		put_device(&bdev->dev);
	return bdev;
}

static void enum_initial_and_handshake_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;
	char *state;

	enum_add_node(test, "0", "0", BE "/0");
	enum_add_node(test, "7", "3", BE "/7");
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "2"), 0);
	enum_start(test);

	KUNIT_EXPECT_EQ(test, enum_seen.probed, 2);
	bdev = blanket_bus_find_device("kvif", 7);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_STREQ(test, bdev->otherend, BE "/7");
	KUNIT_EXPECT_EQ(test, bdev->otherend_id, 3);
	KUNIT_EXPECT_STREQ(test, bdev->nodename, "device/kvif/7");
	put_device(&bdev->dev);

	bdev = blanket_bus_find_device("kvif", 0);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_EQ(test, bdev->otherend_state, XenbusStateInitWait);

	/* The backend moves on: the driver hears, and a waiter wakes. */
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "4"), 0);
	KUNIT_EXPECT_EQ(test, blanket_wait_for_otherend(bdev, XenbusStateConnected, 2000), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, enum_seen.last, XenbusStateConnected);

	/* Our side of the handshake lands in our own directory. */
	KUNIT_EXPECT_EQ(test, blanket_switch_state(bdev, XenbusStateConnected), 0);
	state = blanket_xs_read(fx->f->xs, BLANKET_XBT_NIL, "device/kvif/0", "state", NULL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, state);
	KUNIT_EXPECT_STREQ(test, state, "4");
	kfree(state);
	put_device(&bdev->dev);

	blanket_enum_stop(&fx->e);
	fx->started = false;
	KUNIT_EXPECT_EQ(test, enum_seen.removed, 2);
	KUNIT_EXPECT_FALSE(test, enum_has(0));
}

static void enum_hotplug_unplug_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;

	enum_start(test);
	KUNIT_EXPECT_EQ(test, enum_seen.probed, 0);

	enum_add_node(test, "3", "0", BE "/3");
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_TRUE(test, enum_has(3));
	KUNIT_EXPECT_EQ(test, enum_seen.probed, 1);

	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->f, "device/kvif/3"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_FALSE(test, enum_has(3));
	KUNIT_EXPECT_EQ(test, enum_seen.removed, 1);
}

static void enum_malformed_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	char long_path[BLANKET_OTHEREND_MAX + 64];

	enum_add_node(test, "abc", "0", BE "/abc");
	enum_add_node(test, "007", "0", BE "/7");
	enum_add_node(test, "4294967296", "0", BE "/8");
	enum_add_node(test, "5", "70000", BE "/5");
	enum_add_node(test, "6", "x", BE "/6");
	enum_add_node(test, "8", "0", "relative/backend");
	enum_add_node(test, "9", "0", BE "/9");
	/* A backend path, valid, longer than a device keeps. */
	snprintf(long_path, sizeof(long_path), "%s/%0*d", BE, BLANKET_OTHEREND_MAX, 10);
	enum_add_node(test, "10", "0", long_path);
	/* Not a device at all, as libxl writes it: skipped quietly. */
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, "device/suspend/event-channel", "7"), 0);
	enum_start(test);

	KUNIT_EXPECT_EQ(test, enum_seen.probed, 1);
	KUNIT_EXPECT_TRUE(test, enum_has(9));
	KUNIT_EXPECT_FALSE(test, enum_has(5));
	KUNIT_EXPECT_FALSE(test, enum_has(7));
	KUNIT_EXPECT_FALSE(test, enum_has(10));
}

static void enum_bad_backend_state_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;

	enum_add_node(test, "0", "0", BE "/0");
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "2"), 0);
	enum_start(test);
	KUNIT_EXPECT_EQ(test, enum_seen.changes, 1);

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "99"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "4x"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, enum_seen.changes, 1);
	bdev = blanket_bus_find_device("kvif", 0);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_EQ(test, bdev->otherend_state, XenbusStateInitWait);
	KUNIT_EXPECT_EQ(test, blanket_wait_for_otherend(bdev, XenbusStateConnected, 50),
			-ETIMEDOUT);
	put_device(&bdev->dev);
}

/* Every XenbusState the backend can be in reaches the driver, in order. */
static void enum_every_backend_state_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;
	char value[4];
	int s;

	enum_add_node(test, "0", "0", BE "/0");
	enum_start(test);
	bdev = blanket_bus_find_device("kvif", 0);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	/* No backend state node yet: Unknown, which is where we start. */
	KUNIT_EXPECT_EQ(test, bdev->otherend_state, XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, enum_seen.changes, 0);

	for (s = XenbusStateInitialising; s <= XenbusStateReconfigured; s++) {
		snprintf(value, sizeof(value), "%d", s);
		KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", value), 0);
		KUNIT_EXPECT_EQ(test, blanket_wait_for_otherend(bdev, s, 2000), 0);
	}
	fake_xenstored_settle(fx->f);
	KUNIT_ASSERT_EQ(test, enum_seen.changes, (int)XenbusStateReconfigured);
	for (s = XenbusStateInitialising; s <= XenbusStateReconfigured; s++)
		KUNIT_EXPECT_EQ(test, enum_seen.history[s - 1], (enum xenbus_state)s);

	/* The backend's directory goes away: Unknown again. */
	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->f, BE "/0"), 0);
	KUNIT_EXPECT_EQ(test, blanket_wait_for_otherend(bdev, XenbusStateUnknown, 2000), 0);
	put_device(&bdev->dev);
}

/*
 * A driver bound again (a module reloaded) hears the backend's state at
 * once, though it is the one its predecessor last heard: netback left in
 * InitWait must still get the new driver's connect.
 */
static void enum_rebind_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;

	enum_add_node(test, "0", "0", BE "/0");
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "2"), 0);
	enum_start(test);
	KUNIT_ASSERT_EQ(test, enum_seen.changes, 1);
	KUNIT_ASSERT_EQ(test, enum_seen.last, XenbusStateInitWait);

	blanket_unregister_driver(&enum_driver);
	KUNIT_ASSERT_EQ(test, enum_seen.removed, 1);
	KUNIT_ASSERT_EQ(test, __blanket_register_driver(&enum_driver, NULL, NULL), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, enum_seen.probed, 2);
	KUNIT_EXPECT_EQ(test, enum_seen.changes, 2);
	KUNIT_EXPECT_EQ(test, enum_seen.last, XenbusStateInitWait);
}

/* A state write racing with unplug must not bring the directory back. */
static void enum_switch_state_after_unplug_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;
	char *state;

	enum_add_node(test, "0", "0", BE "/0");
	enum_start(test);
	bdev = blanket_bus_find_device("kvif", 0);
	KUNIT_ASSERT_NOT_NULL(test, bdev);

	/* Removed behind the enumerator's back: no event delivered yet. */
	mutex_lock(&fx->f->lock);
	fx->f->eagain = 1;	/* and a conflict on the way */
	mutex_unlock(&fx->f->lock);
	KUNIT_EXPECT_EQ(test, blanket_switch_state(bdev, XenbusStateInitialised), 0);
	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->f, "device/kvif/0/state"), 0);
	KUNIT_EXPECT_EQ(test, blanket_switch_state(bdev, XenbusStateConnected), -ENOENT);
	state = blanket_xs_read(fx->f->xs, BLANKET_XBT_NIL, "device/kvif/0", "state", NULL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(state), -ENOENT);
	put_device(&bdev->dev);
}

/* A watch whose first event holds the watch thread until released. */
struct enum_hold {
	struct blanket_xs_watch watch;
	struct completion held, release;
};

static void enum_hold_cb(struct blanket_xs_watch *watch, const char *path)
{
	struct enum_hold *h = container_of(watch, struct enum_hold, watch);

	if (completion_done(&h->held))
		return;
	complete(&h->held);
	wait_for_completion_timeout(&h->release, 10 * HZ);
}

/*
 * L0 detaches the device and attaches one of the same id before we hear
 * of the first: the new directory is a new device, and the old one's last
 * words (Closed, as it goes) stay out of it.
 */
static void enum_recreated_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;
	struct enum_hold hold;
	char *state;

	enum_add_node(test, "3", "0", BE "/3");
	enum_start(test);
	bdev = blanket_bus_find_device("kvif", 3);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_EQ(test, blanket_switch_state(bdev, XenbusStateConnected), 0);
	put_device(&bdev->dev);
	enum_seen.close_in_remove = true;

	init_completion(&hold.held);
	init_completion(&hold.release);
	KUNIT_ASSERT_EQ(test, blanket_xs_watch(fx->f->xs, &hold.watch, "kunit-hold",
					       enum_hold_cb), 0);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&hold.held, 5 * HZ));
	KUNIT_EXPECT_EQ(test, fake_xenstored_rm(fx->f, "device/kvif/3"), 0);
	enum_add_node(test, "3", "0", BE "/3");
	complete(&hold.release);
	fake_xenstored_settle(fx->f);
	blanket_xs_unwatch(fx->f->xs, &hold.watch);

	KUNIT_EXPECT_EQ(test, enum_seen.removed, 1);
	KUNIT_EXPECT_EQ(test, enum_seen.close_err, -ENOENT);
	KUNIT_EXPECT_EQ(test, enum_seen.probed, 2);
	state = fake_xenstored_get(fx->f, "device/kvif/3/state");
	KUNIT_EXPECT_STREQ(test, state ?: "(none)", "1");
	kfree(state);
	bdev = blanket_bus_find_device("kvif", 3);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_EQ(test, bdev->state, XenbusStateInitialising);

	/* The new device's own states are no new directory. */
	KUNIT_EXPECT_FALSE(test, blanket_device_replaced(bdev));
	KUNIT_EXPECT_EQ(test, blanket_switch_state(bdev, XenbusStateConnected), 0);
	KUNIT_EXPECT_FALSE(test, blanket_device_replaced(bdev));
	/* Nor is a state L0 wrote malformed: it says nothing of the directory. */
	KUNIT_EXPECT_EQ(test, fake_xenstored_set(fx->f, "device/kvif/3/state", "1x"), 0);
	KUNIT_EXPECT_FALSE(test, blanket_device_replaced(bdev));
	put_device(&bdev->dev);
}

/* L0 removes a type's whole directory: one event, and every device goes. */
static void enum_type_removed_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;

	enum_add_node(test, "0", "0", BE "/0");
	enum_add_node(test, "1", "0", BE "/1");
	enum_start(test);
	KUNIT_ASSERT_EQ(test, enum_seen.probed, 2);

	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->f, "device/kvif"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_FALSE(test, enum_has(0));
	KUNIT_EXPECT_FALSE(test, enum_has(1));
	KUNIT_EXPECT_EQ(test, enum_seen.removed, 2);
}

static void enum_expect_state(struct kunit *test, const char *want)
{
	struct enum_fixture *fx = test->priv;
	char *state = fake_xenstored_get(fx->f, "device/kvif/0/state");

	KUNIT_EXPECT_STREQ(test, state ?: "(none)", want);
	kfree(state);
}

/*
 * The backend's state node goes while we are Connected (L0 restarted its
 * backend domain, say): we say Closed, and connect again to the backend
 * that comes back in InitWait.
 */
static void enum_backend_state_gone_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;

	enum_seen.connect = true;
	enum_add_node(test, "0", "0", BE "/0");
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "2"), 0);
	enum_start(test);
	bdev = blanket_bus_find_device("kvif", 0);
	KUNIT_ASSERT_NOT_NULL(test, bdev);
	KUNIT_EXPECT_EQ(test, enum_seen.connects, 1);
	enum_expect_state(test, "4");

	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->f, BE "/0/state"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, enum_seen.last, XenbusStateUnknown);
	KUNIT_EXPECT_EQ(test, bdev->state, XenbusStateClosed);
	enum_expect_state(test, "6");

	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, BE "/0/state", "2"), 0);
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, enum_seen.connects, 2);
	enum_expect_state(test, "4");
	put_device(&bdev->dev);
}

/*
 * rmmod against a hot-unplug. The "krace" driver has a watch of its own,
 * as blanket_blk has on "sectors", and drops it in remove(), under the
 * device's lock. Meanwhile L0 unplugs the device: the bus's watch
 * callback removes it, and so waits for that lock.
 */
#define RACE_BE "/local/domain/0/backend/krace/5/0"

static struct {
	struct fake_xenstored *f;
	bool unplug_in_remove;
	int removed;
} race;

static void race_watch_cb(struct blanket_xs_watch *watch, const char *path)
{
}

static int race_probe(struct blanket_device *bdev,
		      const struct blanket_device_id *id)
{
	struct blanket_xs_watch *watch = kzalloc(sizeof(*watch), GFP_KERNEL);
	int err;

	if (!watch)
		return -ENOMEM;
	err = blanket_xs_watch(bdev->xs, watch, RACE_BE "/kunit", race_watch_cb);
	if (err) {
		kfree(watch);
		return err;
	}
	dev_set_drvdata(&bdev->dev, watch);
	return 0;
}

/* Unplug the device, and unwatch once the watch thread is removing it. */
static void race_remove(struct blanket_device *bdev)
{
	struct blanket_xs_watch *watch = dev_get_drvdata(&bdev->dev);
	struct blanket_xs *xs = bdev->xs;
	struct blanket_xs_stats stats;
	u64 events;
	bool queued;
	int i;

	race.removed++;
	if (race.unplug_in_remove) {
		blanket_xs_get_stats(xs, &stats);
		events = stats.watch_events;
		fake_xenstored_rm(race.f, "device/krace/0");
		for (i = 0; i < 2000; i++) {
			flush_work(&xs->read_work);
			blanket_xs_get_stats(xs, &stats);
			spin_lock(&xs->lock);
			queued = !list_empty(&xs->events);
			spin_unlock(&xs->lock);
			if (stats.watch_events > events && !queued)
				break;
			usleep_range(1000, 2000);
		}
	}
	blanket_xs_unwatch(xs, watch);
	kfree(watch);
}

static const struct blanket_device_id race_ids[] = {
	{ "krace" },
	{ "" }
};

static struct blanket_driver race_driver = {
	.driver.name = "blanket_race_test",
	.ids = race_ids,
	.probe = race_probe,
	.remove = race_remove,
};

static int race_rmmod(void *done)
{
	blanket_unregister_driver(&race_driver);
	complete(done);
	return 0;
}

static void enum_rmmod_against_unplug_test(struct kunit *test)
{
	struct enum_fixture *fx = test->priv;
	struct blanket_device *bdev;
	struct completion done;
	struct task_struct *task;

	race.f = fx->f;
	race.unplug_in_remove = false;
	race.removed = 0;
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, "device/krace/0/backend-id", "0"), 0);
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fx->f, "device/krace/0/backend", RACE_BE), 0);
	KUNIT_ASSERT_EQ(test, __blanket_register_driver(&race_driver, NULL, NULL), 0);
	enum_start(test);
	bdev = blanket_bus_find_device("krace", 0);
	KUNIT_EXPECT_NOT_NULL(test, bdev);
	if (!bdev) {
		blanket_unregister_driver(&race_driver);
		return;
	}
	put_device(&bdev->dev);

	/* rmmod in a thread of its own, so that a deadlock fails the test. */
	race.unplug_in_remove = true;
	init_completion(&done);
	task = kthread_run(race_rmmod, &done, "blanket_rmmod");
	KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	if (!wait_for_completion_timeout(&done, 10 * HZ)) {
		KUNIT_FAIL(test, "rmmod and the unplug deadlocked");
		/* Neither thread comes back: leave their state be. */
		fx->started = false;
		fake_xenstored_abandon(fx->f);
		return;
	}
	fake_xenstored_settle(fx->f);
	KUNIT_EXPECT_EQ(test, race.removed, 1);
	bdev = blanket_bus_find_device("krace", 0);
	KUNIT_EXPECT_NULL(test, bdev);
	if (bdev)
		put_device(&bdev->dev);
}

static struct kunit_case blanket_enum_cases[] = {
	KUNIT_CASE(enum_initial_and_handshake_test),
	KUNIT_CASE(enum_hotplug_unplug_test),
	KUNIT_CASE(enum_malformed_test),
	KUNIT_CASE(enum_bad_backend_state_test),
	KUNIT_CASE(enum_every_backend_state_test),
	KUNIT_CASE(enum_rebind_test),
	KUNIT_CASE(enum_switch_state_after_unplug_test),
	KUNIT_CASE(enum_type_removed_test),
	KUNIT_CASE(enum_recreated_test),
	KUNIT_CASE(enum_backend_state_gone_test),
	KUNIT_CASE(enum_rmmod_against_unplug_test),
	{}
};

static struct kunit_suite blanket_enum_suite = {
	.name = "blanket_enum",
	.init = enum_test_init,
	.exit = enum_test_exit,
	.test_cases = blanket_enum_cases,
};

kunit_test_suite(blanket_enum_suite);
