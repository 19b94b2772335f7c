// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suites for blanket_xenbus. KUnit runs every suite of this module
 * when it is loaded; the protocol logic under test is reached through the
 * KUnit namespace (EXPORT_SYMBOL_IF_KUNIT), which only a KUnit kernel
 * exports.
 */

#include <linux/module.h>

#include <blanket/test_export.h>

BLANKET_IMPORT_TEST_NS();
MODULE_DESCRIPTION("blanket: KUnit suites for blanket_xenbus");
MODULE_LICENSE("GPL");
