/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysfs as the test system's init sees it, for the suites: attributes to
 * read, and module parameters to change for one test case.
 */
#ifndef _BLANKET_TEST_SYSFS_H
#define _BLANKET_TEST_SYSFS_H

#include <kunit/test.h>
#include <linux/fs.h>

struct file *test_sysfs_open(const char *path, int flags);
void test_param_set(struct kunit *test, const char *module, const char *param,
		    const char *value);

#endif /* _BLANKET_TEST_SYSFS_H */
