// SPDX-License-Identifier: GPL-2.0
/*
 * Deliberate faults, one per class of problem `make check` must catch.
 * Loaded only by `make check-harness`, with fault=<name>; the run that
 * loads it has to fail, or the harness would let that class of bug pass.
 */

#include <linux/delay.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <kunit/test.h>

#include <blanket/compat.h>

static char *fault = "";
module_param(fault, charp, 0444);
MODULE_PARM_DESC(fault, "fail, kasan, lockdep, atomic_sleep, oops, leak or hang");

static DEFINE_MUTEX(fault_lock_a);
static DEFINE_MUTEX(fault_lock_b);
static DEFINE_SPINLOCK(fault_spinlock);

static void *fault_lost;

static void fault_injected_test(struct kunit *test)
{
	if (!strcmp(fault, "fail")) {
		KUNIT_FAIL(test, "deliberate failure");
	} else if (!strcmp(fault, "kasan")) {
		char *buf = kmalloc(16, GFP_KERNEL);
		size_t past_end = 16;

		KUNIT_ASSERT_NOT_NULL(test, buf);
		/* Keep the compiler from seeing the overflow coming. */
		OPTIMIZER_HIDE_VAR(past_end);
		pr_info("blanket_faults: read %d\n", READ_ONCE(buf[past_end]));
		kfree(buf);
	} else if (!strcmp(fault, "lockdep")) {
		/* Both orders once: an inversion lockdep reports, no deadlock. */
		mutex_lock(&fault_lock_a);
		mutex_lock(&fault_lock_b);
		mutex_unlock(&fault_lock_b);
		mutex_unlock(&fault_lock_a);
		mutex_lock(&fault_lock_b);
		mutex_lock(&fault_lock_a);
		mutex_unlock(&fault_lock_a);
		mutex_unlock(&fault_lock_b);
	} else if (!strcmp(fault, "atomic_sleep")) {
		/* Never sleeps: only DEBUG_ATOMIC_SLEEP can see the bug. */
		spin_lock(&fault_spinlock);
		might_sleep();
		spin_unlock(&fault_spinlock);
	} else if (!strcmp(fault, "oops")) {
		int *null = NULL;

		OPTIMIZER_HIDE_VAR(null);
		WRITE_ONCE(*null, 1);
	} else if (!strcmp(fault, "leak")) {
		fault_lost = kmalloc(64, GFP_KERNEL);
		fault_lost = NULL;
	} else if (!strcmp(fault, "hang")) {
		for (;;)
			msleep(1000);
	}
}

static struct kunit_case blanket_faults_cases[] = {
	KUNIT_CASE(fault_injected_test),
	{}
};

static struct kunit_suite blanket_faults_suite = {
	.name = "blanket_faults",
	.test_cases = blanket_faults_cases,
};

static struct kunit_suite *blanket_faults_suites[] = { &blanket_faults_suite };

/*
 * Not kunit_test_suite(): KUnit runs those before the module's parameters
 * are parsed, and this suite needs to know which fault to inject.
 */
static int __init blanket_faults_init(void)
{
	return blanket_kunit_run_suites(blanket_faults_suites,
					ARRAY_SIZE(blanket_faults_suites));
}

static void __exit blanket_faults_exit(void)
{
	__kunit_test_suites_exit(blanket_faults_suites,
				 ARRAY_SIZE(blanket_faults_suites));
}

module_init(blanket_faults_init);
module_exit(blanket_faults_exit);

MODULE_DESCRIPTION("blanket: deliberate faults that make check must catch");
MODULE_LICENSE("GPL");
