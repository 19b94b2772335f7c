/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Ring index accounting shared by every blanket ring.
 *
 * Xen rings use free-running 32-bit indices: a producer only ever adds to
 * its index and the slot is the index masked by the ring size, so every
 * distance is a u32 subtraction that stays right across the wrap at 2^32.
 * Indices written by L0 are untrusted; the checks below are what keeps a
 * hostile producer from walking us outside a ring.
 */
#ifndef _BLANKET_RING_H
#define _BLANKET_RING_H

#include <linux/compiler.h>
#include <linux/types.h>
#include <asm/barrier.h>

/* Entries between @cons and @prod: what the consumer still has to read. */
static inline u32 blanket_ring_used(u32 prod, u32 cons)
{
	return prod - cons;
}

/* Slots a producer at @prod may still fill in a ring of @size entries. */
static inline u32 blanket_ring_space(u32 prod, u32 cons, u32 size)
{
	return size - blanket_ring_used(prod, cons);
}

/* True if @idx lies in the window [@lo, @hi], taken modulo 2^32. */
static inline bool blanket_ring_in_window(u32 idx, u32 lo, u32 hi)
{
	return idx - lo <= hi - lo;
}

/*
 * A response producer published by the backend is sane only if it neither
 * went back past what we consumed nor ran ahead of the requests we posted:
 * there is one response per request, never more.
 */
static inline bool blanket_ring_rsp_prod_valid(u32 rsp_prod, u32 rsp_cons,
					       u32 req_prod)
{
	return blanket_ring_in_window(rsp_prod, rsp_cons, req_prod);
}

/*
 * For a byte or message ring where the peer produces freely (xenstore
 * replies, backend-initiated requests): the peer may be at most @size
 * ahead of our consumer.
 */
static inline bool blanket_ring_prod_valid(u32 prod, u32 cons, u32 size)
{
	return blanket_ring_used(prod, cons) <= size;
}

/*
 * The peer asked to be woken when the producer passes @event. Having moved
 * the producer from @old to @new, notify only if @event was crossed: the
 * same test as Xen's RING_PUSH_*_AND_CHECK_NOTIFY, written out so that it
 * can be tested on its own.
 */
static inline bool blanket_ring_need_notify(u32 old, u32 new, u32 event)
{
	return new - event < new - old;
}

/*
 * Publish the requests up to @prod in the shared ring's @req_prod: a
 * peer still at work takes them without being told.
 */
static inline void blanket_ring_publish(u32 *req_prod, u32 prod)
{
	/* Requests before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(*req_prod, prod);
}

/*
 * With the requests up to @prod published, whether the peer asked (at
 * @req_event) to be told of one after @old, the producer it was last
 * told of or checked for: if so, the caller notifies it.
 */
static inline bool blanket_ring_check_notify(u32 old, u32 prod,
					     const u32 *req_event)
{
	/* The index out before req_event is read: else both sides may sleep. */
	virt_mb();
	return blanket_ring_need_notify(old, prod, READ_ONCE(*req_event));
}

/*
 * Contiguous bytes from index @idx to the end of a ring of @size bytes
 * (a power of two), capped at @len: the length of one memcpy.
 */
static inline u32 blanket_ring_chunk(u32 idx, u32 len, u32 size)
{
	u32 to_end = size - (idx & (size - 1));

	return len < to_end ? len : to_end;
}

#endif /* _BLANKET_RING_H */
