/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Byte transport over a xenstore ring page shared with L0. No hypercall:
 * the caller notifies L0 when these functions say so.
 */
#ifndef _BLANKET_XS_RING_H
#define _BLANKET_XS_RING_H

#include <linux/types.h>
#include <xen/interface/io/xs_wire.h>

/*
 * Our own producer and consumer live here, not only in the shared page: L0
 * can scribble on the page, but it cannot make us forget where we were.
 */
struct blanket_xs_ring {
	struct xenstore_domain_interface *intf;
	u32 req_prod;
	u32 rsp_cons;
};

void blanket_xs_ring_init(struct blanket_xs_ring *ring,
			  struct xenstore_domain_interface *intf);
int blanket_xs_ring_write(struct blanket_xs_ring *ring, const void *data,
			  size_t len);
int blanket_xs_ring_read(struct blanket_xs_ring *ring, void *data, size_t len);
int blanket_xs_ring_avail(struct blanket_xs_ring *ring);
int blanket_xs_ring_room(struct blanket_xs_ring *ring);

#endif /* _BLANKET_XS_RING_H */
