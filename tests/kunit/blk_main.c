// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for blanket_blk, run when this module loads. The fake L0
 * they stand on comes from blanket_xenbus_test; the protocol logic under
 * test through the KUnit namespace, as there.
 */

#include <linux/module.h>

#include <blanket/test_export.h>

BLANKET_IMPORT_TEST_NS();
MODULE_DESCRIPTION("blanket: KUnit suites for blanket_blk");
MODULE_LICENSE("GPL");
