// SPDX-License-Identifier: GPL-2.0
/*
 * The two byte rings of a xenstore_domain_interface page. We produce on
 * req and consume on rsp; L0 owns req_cons and rsp_prod, and each of those
 * is read once per call and checked before it is used.
 */

#include <linux/errno.h>
#include <linux/string.h>
#include <asm/barrier.h>

#include <blanket/test_export.h>
#include <blanket/ring.h>
#include "xs_ring.h"

/*
 * Attach to a page that xenstored may already have used (a kexec'd or
 * reloaded guest): resume from the indexes it holds, if they are sane.
 */
void blanket_xs_ring_init(struct blanket_xs_ring *ring,
			  struct xenstore_domain_interface *intf)
{
	ring->intf = intf;
	ring->req_prod = READ_ONCE(intf->req_prod);
	ring->rsp_cons = READ_ONCE(intf->rsp_cons);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_ring_init);

/*
 * Copy as much of @data as fits into the request ring. Returns the bytes
 * written (0 if the ring is full) or -EIO if L0's consumer index is
 * impossible, after which the connection cannot be trusted.
 */
int blanket_xs_ring_write(struct blanket_xs_ring *ring, const void *data,
			  size_t len)
{
	struct xenstore_domain_interface *intf = ring->intf;
	int room = blanket_xs_ring_room(ring);
	u32 prod = ring->req_prod;
	u32 first;

	if (room < 0)
		return room;
	if (len > room)
		len = room;

	/* Read req_cons before overwriting the bytes it freed. */
	virt_mb();
	first = blanket_ring_chunk(prod, len, XENSTORE_RING_SIZE);
	memcpy(intf->req + MASK_XENSTORE_IDX(prod), data, first);
	memcpy(intf->req, data + first, len - first);
	/* L0 must see the bytes before the index that covers them. */
	virt_wmb();
	ring->req_prod = prod + len;
	WRITE_ONCE(intf->req_prod, ring->req_prod);
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_ring_write);

/* Bytes free in the request ring, or -EIO if L0's consumer is impossible. */
int blanket_xs_ring_room(struct blanket_xs_ring *ring)
{
	u32 cons = READ_ONCE(ring->intf->req_cons);

	if (!blanket_ring_prod_valid(ring->req_prod, cons, XENSTORE_RING_SIZE))
		return -EIO;
	return blanket_ring_space(ring->req_prod, cons, XENSTORE_RING_SIZE);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_ring_room);

/* Bytes waiting in the reply ring, or -EIO if L0's producer is impossible. */
int blanket_xs_ring_avail(struct blanket_xs_ring *ring)
{
	u32 prod = READ_ONCE(ring->intf->rsp_prod);

	if (!blanket_ring_prod_valid(prod, ring->rsp_cons, XENSTORE_RING_SIZE))
		return -EIO;
	return blanket_ring_used(prod, ring->rsp_cons);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_ring_avail);

/* Copy up to @len bytes out of the reply ring; same returns as write. */
int blanket_xs_ring_read(struct blanket_xs_ring *ring, void *data, size_t len)
{
	struct xenstore_domain_interface *intf = ring->intf;
	int avail = blanket_xs_ring_avail(ring);
	u32 cons = ring->rsp_cons;
	u32 first;

	if (avail < 0)
		return avail;
	if (len > avail)
		len = avail;

	/* Read the bytes only after the producer that published them. */
	virt_rmb();
	first = blanket_ring_chunk(cons, len, XENSTORE_RING_SIZE);
	memcpy(data, intf->rsp + MASK_XENSTORE_IDX(cons), first);
	memcpy(data + first, intf->rsp, len - first);
	/* Finish reading before L0 may reuse the space. */
	virt_mb();
	ring->rsp_cons = cons + len;
	WRITE_ONCE(intf->rsp_cons, ring->rsp_cons);
	return len;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_ring_read);
