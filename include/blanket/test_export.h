/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What blanket exports for its KUnit suites alone, protocol logic that
 * has no business in the public API, it exports with the kernel's own
 * EXPORT_SYMBOL_IF_KUNIT (every kernel blanket builds on has it): into
 * KUnit's namespace, and on a kernel without KUnit, as Debian's, not at
 * all.
 */
#ifndef _BLANKET_TEST_EXPORT_H
#define _BLANKET_TEST_EXPORT_H

#include <linux/module.h>
#include <kunit/visibility.h>

#include <blanket/compat.h>

/* In each KUnit module that calls what EXPORT_SYMBOL_IF_KUNIT exports. */
#define BLANKET_IMPORT_TEST_NS() MODULE_IMPORT_NS(BLANKET_KUNIT_NS)

#endif /* _BLANKET_TEST_EXPORT_H */
