/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The forwarded transport's logic: the transport operations translated
 * into blanket_l1_op sub-ops (include/blanket/l1_abi.h), and the relay
 * page. No hypercall: the caller supplies the function that issues one.
 */
#ifndef _BLANKET_L1_H
#define _BLANKET_L1_H

#include <linux/types.h>
#include <xen/interface/xen.h>

#include <blanket/l1_abi.h>
#include "evtchn.h"

/* Issues blanket_l1_op(@op, @arg); returns what L1 Xen returned. */
typedef long (*blanket_l1_call_fn)(void *ctx, unsigned int op, void *arg);

struct blanket_l1 {
	blanket_l1_call_fn call;
	void *ctx;
	/* The ABI version L1 Xen and we both speak: set by the probe. */
	u32 abi_version;
};

int blanket_l1_probe(struct blanket_l1 *l1, struct blanket_l1_query *q,
		     const char **why);
bool blanket_l1_per_vcpu(const struct blanket_l1 *l1);
int blanket_l1_vcpu_id(const struct blanket_l1 *l1, u32 dom0_vcpu, u32 *vcpu);
int blanket_l1_version(const struct blanket_l1 *l1, u32 *version);
int blanket_l1_get_param(const struct blanket_l1 *l1, u32 index, u64 *value);
int blanket_l1_add_to_physmap(const struct blanket_l1 *l1, unsigned int space,
			      unsigned long idx, xen_pfn_t gfn);
int blanket_l1_grant_table_op(const struct blanket_l1 *l1, unsigned int cmd,
			      void *uop, unsigned int count);
int blanket_l1_event_channel_op(const struct blanket_l1 *l1, int cmd,
				void *arg);
bool blanket_l1_can_suspend(const struct blanket_l1 *l1);
int blanket_l1_suspend(const struct blanket_l1 *l1);
bool blanket_l1_can_reattach(const struct blanket_l1 *l1);
int blanket_l1_reattach(const struct blanket_l1 *l1);
int blanket_l1_set_relay(const struct blanket_l1 *l1, u64 mfn);
int blanket_l1_put_relay(const struct blanket_l1 *l1, struct shared_info *relay);
void blanket_l1_relay_init(struct shared_info *relay);
void blanket_l1_setup_unmask(const struct blanket_l1 *l1,
			     struct blanket_evtchn *ev,
			     struct shared_info *relay);

#endif /* _BLANKET_L1_H */
