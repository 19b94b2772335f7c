/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The page L0 fills with its hypercall stubs in direct mode, one every 32
 * bytes. It is module text so that the stubs are executable where they
 * are written: L0 writes through the page's guest-physical address, so
 * the module's read-only mapping does not stand in its way. Until then
 * every stub is a plain return, annotated for objtool.
 */
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <asm/nospec-branch.h>
#include <asm/page_types.h>
#include <asm/unwind_hints.h>

	.pushsection .text, "ax"
	.balign PAGE_SIZE
SYM_CODE_START(blanket_hypercall_page)
	.rept (PAGE_SIZE / 32)
		UNWIND_HINT_FUNC
		ANNOTATE_NOENDBR
		ANNOTATE_UNRET_SAFE
		ret
		.skip 31, 0xcc
	.endr
SYM_CODE_END(blanket_hypercall_page)
	.popsection
