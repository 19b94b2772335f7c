// SPDX-License-Identifier: GPL-2.0
/*
 * Transmit: each page an skb touches becomes one TX slot whose grant lets
 * netback read that page (or, untrusted, a zeroed copy of the data), and
 * a slot comes back when netback's response says it let go.
 *
 * Requests are built in a local array and only copied to the shared ring:
 * nothing is ever read back from memory L0 can write.
 */

#include <linux/kmemleak.h>
#include <linux/skbuff.h>

#include <blanket/test_export.h>
#include <blanket/ring.h>
#include "netfront.h"

static u32 blanket_net_tx_free(const struct blanket_net_queue *q)
{
	return blanket_ring_space(q->tx_req_prod, q->tx_rsp_cons,
				 BLANKET_NET_TX_RING);
}

static u16 blanket_net_tx_get_id(struct blanket_net_queue *q)
{
	u16 id = q->tx_free_head;

	q->tx_free_head = q->tx[id].next_free;
	return id;
}

static void blanket_net_tx_put_id(struct blanket_net_queue *q, u16 id)
{
	q->tx[id].next_free = q->tx_free_head;
	q->tx_free_head = id;
}

/* One packet's requests, before they go onto the ring. */
struct blanket_net_tx_pkt {
	struct blanket_net_queue *q;
	struct sk_buff *skb;
	unsigned int n;
	struct xen_netif_tx_request req[BLANKET_NET_MAX_SLOTS];
};

/* One slot for @len bytes at @offset of @page (all within that page). */
static int blanket_net_tx_slot(struct blanket_net_tx_pkt *p, struct page *page,
			       unsigned int offset, unsigned int len, bool bounce)
{
	struct blanket_net_queue *q = p->q;
	struct blanket_net_tx_slot *slot;
	u16 id;
	int err;

	if (p->n == BLANKET_NET_MAX_SLOTS)
		return -EMSGSIZE;
	id = blanket_net_tx_get_id(q);
	slot = &q->tx[id];
	err = blanket_grant_page(q->nf->bdev, slot->ref, page, true);
	if (err) {
		blanket_net_tx_put_id(q, id);
		return err;
	}
	/* Responses come in any order: each slot holds the skb until its own. */
	slot->skb = p->n ? skb_get(p->skb) : p->skb;
	slot->page = page;
	slot->bounce = bounce;
	slot->len = len;
	p->req[p->n] = (struct xen_netif_tx_request) {
		.gref = slot->ref, .offset = offset, .id = id, .size = len,
	};
	if (p->n)
		p->req[p->n - 1].flags |= XEN_NETTXF_more_data;
	p->n++;
	return 0;
}

/* Slots for @len bytes of @page from @offset, split at page boundaries. */
static int blanket_net_tx_pages(struct blanket_net_tx_pkt *p, struct page *page,
				unsigned int offset, unsigned int len)
{
	int err = 0;

	page += offset >> PAGE_SHIFT;
	offset &= ~PAGE_MASK;
	while (len && !err) {
		unsigned int chunk = min_t(unsigned int, len, PAGE_SIZE - offset);

		err = blanket_net_tx_slot(p, page, offset, chunk, false);
		page++;
		offset = 0;
		len -= chunk;
	}
	return err;
}

/* Untrusted: copy the packet into zeroed pages, so the grants show only it. */
static int blanket_net_tx_bounce(struct blanket_net_tx_pkt *p)
{
	unsigned int done, len = p->skb->len;
	int err = 0;

	for (done = 0; done < len && !err; done += PAGE_SIZE) {
		unsigned int chunk = min_t(unsigned int, len - done, PAGE_SIZE);
		struct page *page = alloc_page(GFP_ATOMIC | __GFP_ZERO);

		if (!page)
			return -ENOMEM;
		skb_copy_bits(p->skb, done, page_address(page), chunk);
		err = blanket_net_tx_slot(p, page, 0, chunk, true);
		if (err)
			__free_page(page);
	}
	return err;
}

static int blanket_net_tx_build(struct blanket_net_tx_pkt *p)
{
	const struct skb_shared_info *sh = skb_shinfo(p->skb);
	struct sk_buff *skb = p->skb;
	unsigned int i;
	int err;

	if (!p->q->nf->trusted)
		return blanket_net_tx_bounce(p);
	err = blanket_net_tx_pages(p, virt_to_page(skb->data),
				   offset_in_page(skb->data), skb_headlen(skb));
	for (i = 0; i < sh->nr_frags && !err; i++)
		err = blanket_net_tx_pages(p, skb_frag_page(&sh->frags[i]),
					   skb_frag_off(&sh->frags[i]),
					   skb_frag_size(&sh->frags[i]));
	return err;
}

static void blanket_net_tx_put(struct blanket_net_queue *q,
			       const struct xen_netif_tx_request *req)
{
	struct xen_netif_tx_sring *s = q->tx_sring;

	s->ring[q->tx_req_prod++ & (BLANKET_NET_TX_RING - 1)].req = *req;
}

/*
 * Take back slot @id: its grant, its page and its skb reference. If
 * netback still maps the page, the memory must never be reused under
 * L0's eyes: a bounce page goes with the grant, parked until netback
 * lets go; the skb's own memory (perhaps slab, which no page reference
 * holds) stays allocated for good, the slot's skb reference never
 * dropped. Returns false in that case.
 */
static bool blanket_net_tx_finish(struct blanket_net_queue *q, u16 id, bool ok)
{
	struct blanket_net_tx_slot *slot = &q->tx[id];
	struct blanket_device *bdev = q->nf->bdev;
	struct sk_buff *skb = slot->skb;
	bool released = true;

	if (slot->ref != BLANKET_NET_NO_REF && blanket_grant_end(bdev, slot->ref)) {
		blanket_grant_end_free(bdev, slot->ref, slot->bounce ? slot->page : NULL);
		slot->ref = BLANKET_NET_NO_REF;
		released = false;
		if (!slot->bounce) {
			kmemleak_not_leak(skb);
			skb = NULL;
		}
	} else if (slot->bounce) {
		__free_page(slot->page);
	}
	/* Both take NULL: a kept skb is not freed. */
	if (ok)
		dev_consume_skb_any(skb);
	else
		dev_kfree_skb_any(skb);
	slot->skb = NULL;
	slot->page = NULL;
	blanket_net_tx_put_id(q, id);
	return released;
}

/*
 * Undo the slots of a packet that never reached the ring. Netback knows
 * their grant references from earlier requests, and may have mapped one
 * already: such a slot is parked like any other. Returns false then.
 */
static bool blanket_net_tx_unwind(struct blanket_net_tx_pkt *p)
{
	bool released = true;
	unsigned int i;

	/* Slot 0 holds the caller's reference to the skb, which it drops itself. */
	if (p->n)
		skb_get(p->skb);
	for (i = 0; i < p->n; i++)
		released &= blanket_net_tx_finish(p->q, p->req[i].id, false);
	return released;
}

/*
 * The rsp_event to ask for: a completion matters once it frees an skb,
 * and the oldest packet in flight frees first, so the event is due with
 * its last response. Out-of-order responses only move the event a little:
 * it never lies beyond what is in flight, so it always comes.
 */
u32 blanket_net_tx_event(struct blanket_net_queue *q)
{
	const u16 mask = BLANKET_NET_TX_RING - 1;

	while (q->tx_ends_head != q->tx_ends_tail &&
	       (s32)(q->tx_ends[q->tx_ends_head & mask] - q->tx_rsp_cons) <= 0)
		q->tx_ends_head++;
	if (q->tx_ends_head == q->tx_ends_tail)
		return q->tx_rsp_cons + 1;
	return q->tx_ends[q->tx_ends_head & mask];
}
EXPORT_SYMBOL_IF_KUNIT(blanket_net_tx_event);

/*
 * Take in netback's TX responses, under tx_lock. Returns why the ring is
 * to be given up on, or NULL.
 */
static const char *blanket_net_tx_reap(struct blanket_net_queue *q,
				       struct netdev_queue *txq)
{
	unsigned int bytes = 0;
	const char *why = NULL;
	u32 prod, cons;

	do {
		prod = READ_ONCE(q->tx_sring->rsp_prod);
		if (!blanket_ring_rsp_prod_valid(prod, q->tx_rsp_cons, q->tx_req_prod)) {
			why = "TX response producer out of range";
			break;
		}
		/* The responses after the index that announced them. */
		virt_rmb();
		for (cons = q->tx_rsp_cons; cons != prod; cons++) {
			struct xen_netif_tx_response rsp;
			struct blanket_net_tx_slot *slot;

			memcpy(&rsp, &q->tx_sring->ring[cons & (BLANKET_NET_TX_RING - 1)].rsp,
			       sizeof(rsp));
			if (rsp.status == XEN_NETIF_RSP_NULL) {
				if (!q->tx_extras) {
					why = "TX NULL response for no extra slot";
					break;
				}
				q->tx_extras--;
				continue;
			}
			slot = rsp.id < BLANKET_NET_TX_RING ? &q->tx[rsp.id] : NULL;
			if (!slot || !slot->skb) {
				why = "TX response for an id not in flight";
				break;
			}
			if (rsp.status != XEN_NETIF_RSP_OKAY &&
			    rsp.status != XEN_NETIF_RSP_ERROR &&
			    rsp.status != XEN_NETIF_RSP_DROPPED) {
				why = "unknown TX response status";
				break;
			}
			if (rsp.status != XEN_NETIF_RSP_OKAY)
				blanket_net_stats_inc(&q->tx_stats, &q->tx_stats.errors);
			bytes += slot->len;
			if (!blanket_net_tx_finish(q, rsp.id,
						   rsp.status == XEN_NETIF_RSP_OKAY)) {
				why = "TX grant still in use by the backend";
				cons++;
				break;
			}
		}
		q->tx_rsp_cons = cons;
		if (why)
			break;
		WRITE_ONCE(q->tx_sring->rsp_event, blanket_net_tx_event(q));
		/* rsp_event out before rsp_prod is read again: no lost event. */
		virt_mb();
	} while (READ_ONCE(q->tx_sring->rsp_prod) != q->tx_rsp_cons);

	/* BQL balances bytes; packets only feed its tracing. */
	netdev_tx_completed_queue(txq, 0, bytes);
	return why;
}

/*
 * Netback's TX responses, when its event comes. NAPI context: until
 * blanket_net_tx_flush() at the poll's end, what the stack sends in
 * answer to what the poll delivers (ACKs, and the data they let out)
 * waits on the ring for one kick, which netback may not even need.
 */
void blanket_net_tx_complete(struct blanket_net_queue *q)
{
	struct blanket_net *nf = q->nf;
	struct netdev_queue *txq = netdev_get_tx_queue(nf->netdev, q->index);
	const char *why;

	spin_lock(&q->tx_lock);
	q->tx_defer = true;
	why = blanket_net_tx_reap(q, txq);
	if (!why && netif_tx_queue_stopped(txq) &&
	    blanket_net_tx_free(q) >= BLANKET_NET_TX_PKT_SLOTS &&
	    netif_carrier_ok(nf->netdev))
		netif_tx_wake_queue(txq);
	spin_unlock(&q->tx_lock);
	if (why)
		blanket_dev_fatal(nf->bdev, &nf->broken, "queue %u: %s",
				  q->index, why);
}

/* Kick netback for the requests published since the last check, if it asks. */
static void blanket_net_tx_kick(struct blanket_net_queue *q)
{
	blanket_net_kick(q, &q->tx_req_checked, q->tx_req_prod,
			 &q->tx_sring->req_event, q->tx_port, &q->tx_stats);
}

/* The poll is over: the kick the packets sent during it waited for. */
void blanket_net_tx_flush(struct blanket_net_queue *q)
{
	spin_lock(&q->tx_lock);
	if (q->tx_defer && !READ_ONCE(q->nf->broken))
		blanket_net_tx_kick(q);
	q->tx_defer = false;
	spin_unlock(&q->tx_lock);
}

netdev_tx_t blanket_net_start_xmit(struct sk_buff *skb, struct net_device *dev)
{
	struct blanket_net *nf = netdev_priv(dev);
	unsigned int i, qi = skb_get_queue_mapping(skb);
	struct blanket_net_queue *q = &nf->queues[qi];
	struct netdev_queue *txq = netdev_get_tx_queue(dev, qi);
	struct blanket_net_tx_pkt p = { .q = q, .skb = skb };
	/* An extra info slot is a request slot with another layout. */
	union {
		struct xen_netif_tx_request req;
		struct xen_netif_extra_info extra;
	} gso = {};
	unsigned int len = skb->len;
	const char *why = NULL;
	bool has_gso;

	if (unlikely(len > XEN_NETIF_MAX_TX_SIZE || len < ETH_HLEN))
		goto drop;
	/* More pages than netback takes: one copy makes it contiguous. */
	if (nf->trusted && blanket_netif_tx_slots(skb) > BLANKET_NET_MAX_SLOTS &&
	    skb_linearize(skb))
		goto drop;
	has_gso = blanket_netif_tx_gso(skb, &gso.extra);

	spin_lock(&q->tx_lock);
	if (unlikely(READ_ONCE(nf->broken) ||
		     blanket_net_tx_free(q) < BLANKET_NET_TX_PKT_SLOTS))
		goto drop_locked;
	if (blanket_net_tx_build(&p)) {
		if (!blanket_net_tx_unwind(&p))
			why = "TX grant mapped before its request was sent";
		goto drop_locked;
	}
	p.req[0].size = len;
	p.req[0].flags |= blanket_netif_tx_csum_flags(skb);
	if (has_gso)
		p.req[0].flags |= XEN_NETTXF_extra_info;
	blanket_net_tx_put(q, &p.req[0]);
	/* The extra slot follows the first request; netback answers it NULL. */
	if (has_gso) {
		blanket_net_tx_put(q, &gso.req);
		q->tx_extras++;
	}
	for (i = 1; i < p.n; i++)
		blanket_net_tx_put(q, &p.req[i]);
	/* At most one packet per slot: the array never overflows. */
	q->tx_ends[q->tx_ends_tail++ & (BLANKET_NET_TX_RING - 1)] = q->tx_req_prod;
	/*
	 * Netback sees each packet at once, and is kicked once per batch:
	 * while it is busy with the first, it takes the rest untold.
	 */
	blanket_ring_publish(&q->tx_sring->req_prod, q->tx_req_prod);

	netdev_tx_sent_queue(txq, len);
	blanket_net_stats_add(&q->tx_stats, 1, len);
	/*
	 * Whatever netback has answered by now goes back at once, not at the
	 * next event: the sockets' and BQL's budgets come back sooner.
	 */
	if (READ_ONCE(q->tx_sring->rsp_prod) != q->tx_rsp_cons)
		why = blanket_net_tx_reap(q, txq);
	if (blanket_net_tx_free(q) < BLANKET_NET_TX_PKT_SLOTS) {
		netif_tx_stop_queue(txq);
		blanket_net_stats_inc(&q->tx_stats, &q->tx_stats.ring_full);
	}
	if ((!netdev_xmit_more() && !q->tx_defer) || netif_xmit_stopped(txq))
		blanket_net_tx_kick(q);
	spin_unlock(&q->tx_lock);
	if (unlikely(why))
		blanket_dev_fatal(nf->bdev, &nf->broken, "queue %u: %s",
				  q->index, why);
	return NETDEV_TX_OK;

drop:
	spin_lock(&q->tx_lock);
drop_locked:
	/* The last of a batch: the packets before it still want their kick. */
	if (!netdev_xmit_more() && !q->tx_defer && !READ_ONCE(nf->broken))
		blanket_net_tx_kick(q);
	spin_unlock(&q->tx_lock);
	if (unlikely(why))
		blanket_dev_fatal(nf->bdev, &nf->broken, "queue %u: %s",
				  q->index, why);
	blanket_net_stats_inc(&q->tx_stats, &q->tx_stats.errors);
	dev_kfree_skb_any(skb);
	return NETDEV_TX_OK;
}

/* Teardown: every slot still in flight is dropped; grants end or park. */
void blanket_net_tx_release(struct blanket_net_queue *q)
{
	unsigned int id;

	for (id = 0; id < BLANKET_NET_TX_RING; id++) {
		if (q->tx[id].skb)
			blanket_net_tx_finish(q, id, false);
		if (q->tx[id].ref != BLANKET_NET_NO_REF)
			blanket_grant_free(q->nf->bdev, q->tx[id].ref);
		q->tx[id].ref = BLANKET_NET_NO_REF;
	}
	netdev_tx_reset_queue(netdev_get_tx_queue(q->nf->netdev, q->index));
}
