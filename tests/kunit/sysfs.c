// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs for the suites: the files an administrator reads and writes,
 * reached the way the administrator reaches them.
 */

#include <linux/fs_struct.h>
#include <linux/pid.h>
#include <linux/sched/task.h>
#include <linux/slab.h>

#include "sysfs.h"

/*
 * Open @path as the test system's init sees it: since 7.x a kernel thread,
 * such as the one running a test case, has a root of its own with nothing
 * mounted on it.
 */
struct file *test_sysfs_open(const char *path, int flags)
{
	struct task_struct *init;
	struct path root;
	struct file *f;

	rcu_read_lock();
	init = pid_task(find_vpid(1), PIDTYPE_PID);
	if (init)
		get_task_struct(init);
	rcu_read_unlock();
	if (!init)
		return ERR_PTR(-ESRCH);
	task_lock(init);
	get_fs_root(init->fs, &root);
	task_unlock(init);
	put_task_struct(init);
	f = file_open_root(&root, path, flags, 0);
	path_put(&root);
	return f;
}
EXPORT_SYMBOL_GPL(test_sysfs_open);

struct test_param {
	char path[96];
	char old[32];
};

static int test_param_write(const char *path, const char *value)
{
	size_t len = strlen(value);
	struct file *f = test_sysfs_open(path, O_WRONLY);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(f))
		return PTR_ERR(f);
	n = kernel_write(f, value, len, &pos);
	filp_close(f, NULL);
	if (n < 0)
		return n;
	return n == len ? 0 : -EIO;
}

static int test_param_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/* The test case is over: the parameter is as it found it. */
static void test_param_restore(struct kunit_resource *res)
{
	struct test_param *p = res->data;

	WARN_ON(test_param_write(p->path, p->old));
}

/*
 * Write @value to @module's parameter @param through sysfs, as root
 * would; the old value is written back when the test case ends.
 */
void test_param_set(struct kunit *test, const char *module, const char *param,
		    const char *value)
{
	/* Freed after the restore, which was set up after it. */
	struct test_param *p = kunit_kzalloc(test, sizeof(*p), GFP_KERNEL);
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	KUNIT_ASSERT_NOT_NULL(test, p);
	snprintf(p->path, sizeof(p->path), "/sys/module/%s/parameters/%s",
		 module, param);
	f = test_sysfs_open(p->path, O_RDONLY);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(f), "%s: %ld", p->path, PTR_ERR(f));
	n = kernel_read(f, p->old, sizeof(p->old) - 1, &pos);
	filp_close(f, NULL);
	KUNIT_ASSERT_GT_MSG(test, n, 0, "%s", p->path);
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, test_param_init,
							 test_param_restore,
							 GFP_KERNEL, p));
	KUNIT_ASSERT_EQ_MSG(test, test_param_write(p->path, value), 0,
			    "%s=%s", p->path, value);
}
EXPORT_SYMBOL_GPL(test_param_set);
