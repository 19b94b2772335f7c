// SPDX-License-Identifier: GPL-2.0
/*
 * The blanket bus: device naming, driver matching, probe and remove; and
 * the client API's report of a broken device.
 */

#include <kunit/test.h>

#include "blanket_xenbus/bus.h"

static struct {
	int probed;
	int removed;
	int fatal;
	const struct blanket_device_id *id;
	struct blanket_device *bdev;
} bus_seen;

static int bus_test_probe(struct blanket_device *bdev,
			  const struct blanket_device_id *id)
{
	bus_seen.probed++;
	bus_seen.id = id;
	bus_seen.bdev = bdev;
	return 0;
}

static void bus_test_remove(struct blanket_device *bdev)
{
	bus_seen.removed++;
}

static void bus_test_fatal(struct blanket_device *bdev)
{
	bus_seen.fatal++;
}

static const struct blanket_device_id bus_test_ids[] = {
	{ "kunitx" },
	{ "kunit" },
	{ "" }
};

static struct blanket_driver bus_test_driver = {
	.driver.name = "blanket_bus_test",
	.ids = bus_test_ids,
	.probe = bus_test_probe,
	.remove = bus_test_remove,
	.fatal_effect = "the test's effect",
	.fatal = bus_test_fatal,
};

/*
 * KUnit runs a module's suites while the module is still coming up, before
 * its sysfs directory exists: register with no owner, or the driver core
 * would link the driver into a kobject that is not there yet.
 */
static int bus_test_register(struct blanket_driver *drv)
{
	return __blanket_register_driver(drv, NULL, NULL);
}

static int bus_test_init(struct kunit *test)
{
	memset(&bus_seen, 0, sizeof(bus_seen));
	return bus_test_register(&bus_test_driver);
}

static void bus_test_exit(struct kunit *test)
{
	blanket_unregister_driver(&bus_test_driver);
}

static void bus_probe_remove_test(struct kunit *test)
{
	struct blanket_device *bdev;

	bdev = blanket_bus_add_device(NULL, "kunit", 3, "/local/domain/0/backend/kunit/5/3", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bdev));
	KUNIT_EXPECT_STREQ(test, dev_name(&bdev->dev), "kunit-3");
	KUNIT_EXPECT_STREQ(test, bdev->nodename, "device/kunit/3");
	KUNIT_EXPECT_EQ(test, bus_seen.probed, 1);
	KUNIT_EXPECT_PTR_EQ(test, bus_seen.bdev, bdev);
	KUNIT_EXPECT_PTR_EQ(test, bus_seen.id, &bus_test_ids[1]);
	KUNIT_EXPECT_PTR_EQ(test, bdev->dev.driver, &bus_test_driver.driver);
	/* Its counters in debugfs, blanket/devices/kunit-3. */
	KUNIT_EXPECT_FALSE(test, IS_ERR_OR_NULL(bdev->debugfs));

	blanket_bus_remove_device(bdev);
	KUNIT_EXPECT_EQ(test, bus_seen.removed, 1);
}

static void bus_no_match_test(struct kunit *test)
{
	struct blanket_device *bdev;

	/* A prefix of a known type is not that type. */
	bdev = blanket_bus_add_device(NULL, "kuni", 0, "backend/kuni/0", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bdev));
	KUNIT_EXPECT_EQ(test, bus_seen.probed, 0);
	KUNIT_EXPECT_NULL(test, bdev->dev.driver);
	blanket_bus_remove_device(bdev);
	KUNIT_EXPECT_EQ(test, bus_seen.removed, 0);
}

static void bus_bad_devtype_test(struct kunit *test)
{
	struct blanket_device *bdev;

	bdev = blanket_bus_add_device(NULL, "", 0, "x", 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bdev), -EINVAL);
	bdev = blanket_bus_add_device(NULL, "vif/../vbd", 0, "x", 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bdev), -EINVAL);
	bdev = blanket_bus_add_device(NULL, "a-devtype-name-longer-than-32-bytes", 0, "x", 0);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(bdev), -EINVAL);
	KUNIT_EXPECT_EQ(test, bus_seen.probed, 0);
}

static void bus_driver_needs_probe_test(struct kunit *test)
{
	static struct blanket_driver no_probe = {
		.driver.name = "blanket_no_probe",
		.ids = bus_test_ids,
	};

	KUNIT_EXPECT_EQ(test, bus_test_register(&no_probe), -EINVAL);
}

/*
 * A device its backend broke is reported once, and its driver acts once,
 * until the driver clears the flag (a backend that started over).
 */
static void bus_dev_fatal_test(struct kunit *test)
{
	struct blanket_device *bdev;
	bool broken = false;

	bdev = blanket_bus_add_device(NULL, "kunit", 4, "backend/kunit/4", 0);
	KUNIT_ASSERT_FALSE(test, IS_ERR(bdev));
	blanket_dev_fatal(bdev, &broken, "malformed %s", "reply");
	KUNIT_EXPECT_TRUE(test, broken);
	KUNIT_EXPECT_EQ(test, bus_seen.fatal, 1);
	blanket_dev_fatal(bdev, &broken, "malformed %s", "reply");
	KUNIT_EXPECT_EQ(test, bus_seen.fatal, 1);
	broken = false;
	blanket_dev_fatal(bdev, &broken, "malformed %s", "reply");
	KUNIT_EXPECT_TRUE(test, broken);
	KUNIT_EXPECT_EQ(test, bus_seen.fatal, 2);
	blanket_bus_remove_device(bdev);
}

static void bus_state_name_test(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, blanket_state_name(XenbusStateConnected), "Connected");
	KUNIT_EXPECT_STREQ(test, blanket_state_name(XenbusStateInitWait), "InitWait");
	KUNIT_EXPECT_STREQ(test, blanket_state_name(XenbusStateReconfigured),
			   "Reconfigured");
	KUNIT_EXPECT_STREQ(test, blanket_state_name(XenbusStateReconfigured + 1),
			   "Invalid");
	KUNIT_EXPECT_STREQ(test, blanket_state_name((enum xenbus_state)-1), "Invalid");
}

static struct kunit_case blanket_bus_cases[] = {
	KUNIT_CASE(bus_probe_remove_test),
	KUNIT_CASE(bus_no_match_test),
	KUNIT_CASE(bus_bad_devtype_test),
	KUNIT_CASE(bus_driver_needs_probe_test),
	KUNIT_CASE(bus_dev_fatal_test),
	KUNIT_CASE(bus_state_name_test),
	{}
};

static struct kunit_suite blanket_bus_suite = {
	.name = "blanket_bus",
	.init = bus_test_init,
	.exit = bus_test_exit,
	.test_cases = blanket_bus_cases,
};

kunit_test_suite(blanket_bus_suite);
