// SPDX-License-Identifier: GPL-2.0
/*
 * Receive: the RX ring is kept full of granted pages that netback copies
 * packets into. A packet's responses are copied out of the ring once,
 * checked as a whole, and only then turned into an skb: small packets are
 * copied and their page stays posted, larger ones take the pages, whose
 * grants end first so that L0 cannot write into an skb we passed on.
 * Request i always uses buffer i % ring size, and netback answers in
 * order, so response i is buffer i's.
 */

#include <linux/etherdevice.h>
#include <linux/skbuff.h>

#include <blanket/ring.h>
#include "netfront.h"

/* Response slots of one packet: data, plus the extra info chain. */
#define BLANKET_NET_RX_MAX_EXTRAS	(XEN_NETIF_EXTRA_TYPE_MAX - 1)
#define BLANKET_NET_RX_PKT_SLOTS	(BLANKET_NET_MAX_SLOTS + BLANKET_NET_RX_MAX_EXTRAS)

union blanket_net_rx_entry {
	struct xen_netif_rx_response rsp;
	struct xen_netif_extra_info extra;
};

struct blanket_net_rx_pkt {
	u32 cons;			/* ring index of its first slot */
	unsigned int slots;		/* all of them, extras included */
	unsigned int nr_data, nr_extras;
	union blanket_net_rx_entry extra[BLANKET_NET_RX_MAX_EXTRAS];
	struct xen_netif_rx_response data[BLANKET_NET_MAX_SLOTS];
	u32 data_idx[BLANKET_NET_MAX_SLOTS];
	unsigned int len;
	bool dropped;			/* netback reported an error status */
};

/* Post buffers until every RX slot is netback's; retried later if short of pages. */
void blanket_net_rx_refill(struct blanket_net_queue *q)
{
	while (blanket_ring_used(q->rx_req_prod, q->rx_rsp_cons) < BLANKET_NET_RX_RING) {
		unsigned int idx = q->rx_req_prod & (BLANKET_NET_RX_RING - 1);
		struct blanket_net_rx_buf *buf = &q->rx[idx];
		struct xen_netif_rx_request *req;

		if (!buf->page) {
			/* Netback may map what it can write: show it no old data. */
			gfp_t gfp = GFP_ATOMIC | __GFP_NOWARN |
				    (q->nf->trusted ? 0 : __GFP_ZERO);
			struct page *page = alloc_page(gfp);

			if (!page) {
				mod_timer(&q->refill_timer, jiffies + HZ / 10);
				break;
			}
			if (blanket_grant_page(q->nf->bdev, buf->ref, page, false)) {
				__free_page(page);
				break;
			}
			buf->page = page;
		}
		req = &q->rx_sring->ring[idx].req;
		req->id = idx;
		req->gref = buf->ref;
		q->rx_req_prod++;
	}
	blanket_ring_publish(&q->rx_sring->req_prod, q->rx_req_prod);
	blanket_net_kick(q, &q->rx_req_checked, q->rx_req_prod,
			 &q->rx_sring->req_event, q->rx_port, &q->rx_stats);
}

/* Copy ring entry @idx out of shared memory; false if @prod does not cover it. */
static bool blanket_net_rx_take(struct blanket_net_queue *q, u32 prod, u32 idx,
				union blanket_net_rx_entry *e)
{
	if (idx == prod)
		return false;
	memcpy(e, &q->rx_sring->ring[idx & (BLANKET_NET_RX_RING - 1)].rsp,
	       sizeof(*e));
	return true;
}

/*
 * Gather the packet that starts at rx_rsp_cons: 0 when it is valid, -EIO
 * (with @why) when it breaks the protocol. Netback publishes whole packets
 * only, so one that runs past @prod does too: waiting for its rest would
 * have NAPI poll for ever.
 */
static int blanket_net_rx_gather(struct blanket_net_queue *q, u32 prod,
				 struct blanket_net_rx_pkt *p, const char **why)
{
	u32 idx = q->rx_rsp_cons;
	union blanket_net_rx_entry e;
	u16 flags;
	int len;

	memset(p, 0, offsetof(struct blanket_net_rx_pkt, extra));
	p->cons = idx;
	do {
		if (p->nr_data == BLANKET_NET_MAX_SLOTS) {
			*why = "packet in too many slots";
			return -EIO;
		}
		if (!blanket_net_rx_take(q, prod, idx, &e))
			goto cut_off;
		len = blanket_netif_rx_check(&e.rsp, idx, why);
		if (len == -EIO)
			return -EIO;
		if (len < 0)
			p->dropped = true;
		else
			p->len += len;
		p->data_idx[p->nr_data] = idx++;
		p->data[p->nr_data++] = e.rsp;
		flags = e.rsp.flags;

		/* Extra info slots follow the first response only. */
		if (p->nr_data == 1 && (flags & XEN_NETRXF_extra_info)) {
			do {
				if (p->nr_extras == BLANKET_NET_RX_MAX_EXTRAS) {
					*why = "too many extra info slots";
					return -EIO;
				}
				if (!blanket_net_rx_take(q, prod, idx++, &e))
					goto cut_off;
				p->extra[p->nr_extras++] = e;
			} while (e.extra.flags & XEN_NETIF_EXTRA_FLAG_MORE);
		}
	} while (flags & XEN_NETRXF_more_data);
	p->slots = idx - p->cons;
	return 0;

cut_off:
	*why = "packet cut off at the response producer";
	return -EIO;
}

/* Take the page of ring index @idx away from netback; NULL if it holds on. */
static struct page *blanket_net_rx_claim(struct blanket_net_queue *q, u32 idx)
{
	struct blanket_net_rx_buf *buf = &q->rx[idx & (BLANKET_NET_RX_RING - 1)];
	struct page *page = buf->page;

	if (blanket_grant_end(q->nf->bdev, buf->ref)) {
		/* Parked with its page until netback lets go; the slot is lost. */
		blanket_grant_end_free(q->nf->bdev, buf->ref, page);
		buf->ref = BLANKET_NET_NO_REF;
		page = NULL;
	}
	buf->page = NULL;
	return page;
}

static struct sk_buff *blanket_net_rx_build(struct blanket_net_queue *q,
					    struct blanket_net_rx_pkt *p,
					    const char **why)
{
	struct blanket_net_rx_buf *first = &q->rx[p->data_idx[0] & (BLANKET_NET_RX_RING - 1)];
	struct sk_buff *skb;
	unsigned int i, head;
	bool copy_first;

	head = blanket_netif_rx_head(p->nr_data, p->len, p->data[0].status, &copy_first);

	skb = napi_alloc_skb(&q->napi, head);
	if (!skb)
		return NULL;
	for (i = 0; i < p->nr_data; i++) {
		const struct xen_netif_rx_response *rsp = &p->data[i];
		struct page *page;

		if (i == 0 && copy_first) {
			skb_put_data(skb, page_address(first->page) + rsp->offset,
				     rsp->status);
			continue;
		}
		page = blanket_net_rx_claim(q, p->data_idx[i]);
		if (!page) {
			*why = "RX grant still in use by the backend";
			kfree_skb(skb);
			return ERR_PTR(-EIO);
		}
		skb_add_rx_frag(skb, skb_shinfo(skb)->nr_frags, page, rsp->offset,
				rsp->status, PAGE_SIZE);
	}
	/*
	 * The head has room for this pull: it allocates nothing. Were the
	 * Ethernet header not in the head even so, eth_type_trans() would
	 * overrun it.
	 */
	if (!pskb_may_pull(skb, min(skb->len, BLANKET_NET_RX_COPYBREAK))) {
		kfree_skb(skb);
		return NULL;
	}
	return skb;
}

/* Hand one complete, checked packet up (or count it dropped). */
static int blanket_net_rx_deliver(struct blanket_net_queue *q,
				  struct blanket_net_rx_pkt *p, const char **why)
{
	struct sk_buff *skb = NULL;
	unsigned int i;

	/*
	 * Buffers the skb does not take keep their page and grant: the next
	 * request at the same ring slot posts them again as they are.
	 */
	if (!p->dropped && p->len >= ETH_HLEN) {
		skb = blanket_net_rx_build(q, p, why);
		if (IS_ERR(skb))
			return PTR_ERR(skb);
	}
	if (!skb) {
		blanket_net_stats_inc(&q->rx_stats, &q->rx_stats.errors);
		return 0;
	}
	for (i = 0; i < p->nr_extras; i++) {
		if (blanket_netif_rx_extra(skb, &p->extra[i].extra, why)) {
			kfree_skb(skb);
			return -EIO;
		}
	}
	skb->protocol = eth_type_trans(skb, q->nf->netdev);
	skb_reset_network_header(skb);
	if (blanket_netif_rx_csum(skb, p->data[0].flags)) {
		kfree_skb(skb);
		blanket_net_stats_inc(&q->rx_stats, &q->rx_stats.errors);
		return 0;
	}
	skb_record_rx_queue(skb, q->index);
	blanket_net_stats_add(&q->rx_stats, 1, p->len);
	napi_gro_receive(&q->napi, skb);
	return 0;
}

/* Up to @budget packets from the RX ring. NAPI context. */
int blanket_net_rx_poll(struct blanket_net_queue *q, int budget)
{
	struct blanket_net_rx_pkt p;
	const char *why = NULL;
	int done = 0, err = 0;
	u32 prod;

	prod = READ_ONCE(q->rx_sring->rsp_prod);
	if (!blanket_ring_rsp_prod_valid(prod, q->rx_rsp_cons, q->rx_req_prod)) {
		blanket_dev_fatal(q->nf->bdev, &q->nf->broken,
				  "queue %u: RX response producer out of range",
				  q->index);
		return 0;
	}
	/* The responses after the index that announced them. */
	virt_rmb();
	while (done < budget && q->rx_rsp_cons != prod) {
		err = blanket_net_rx_gather(q, prod, &p, &why);
		if (err)
			break;
		err = blanket_net_rx_deliver(q, &p, &why);
		if (err)
			break;
		q->rx_rsp_cons += p.slots;
		done++;
	}
	if (err)
		blanket_dev_fatal(q->nf->bdev, &q->nf->broken, "queue %u: %s",
				  q->index, why);
	return done;
}

/* Teardown: take every posted page back, or park it while netback maps it. */
void blanket_net_rx_release(struct blanket_net_queue *q)
{
	unsigned int i;

	for (i = 0; i < BLANKET_NET_RX_RING; i++) {
		struct blanket_net_rx_buf *buf = &q->rx[i];

		if (buf->page) {
			struct page *page = blanket_net_rx_claim(q, i);

			if (page)
				__free_page(page);
		}
		if (buf->ref != BLANKET_NET_NO_REF)
			blanket_grant_free(q->nf->bdev, buf->ref);
		buf->ref = BLANKET_NET_NO_REF;
	}
}
