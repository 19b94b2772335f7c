/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blanket_net: one net_device per L0 vif, speaking the netif protocol to
 * L0's netback over per-queue TX and RX rings.
 *
 * The files are a stack, each calling only those below it: main.c (the
 * handshake) over netdev.c (the net_device) over queue.c (a queue pair's
 * rings, event channels and NAPI) over tx.c and rx.c over wire.c (the
 * protocol). The inlines below serve every layer.
 */
#ifndef _BLANKET_NETFRONT_H
#define _BLANKET_NETFRONT_H

#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/timer.h>
#include <linux/u64_stats_sync.h>
#include <linux/workqueue.h>
#include <xen/interface/io/netif.h>
#include <xen/page.h>

#include <blanket/compat.h>
#include <blanket/ring.h>
#include <blanket/xenbus.h>

#define BLANKET_NET_TX_RING	__CONST_RING_SIZE(xen_netif_tx, XEN_PAGE_SIZE)
#define BLANKET_NET_RX_RING	__CONST_RING_SIZE(xen_netif_rx, XEN_PAGE_SIZE)
/* Data slots of one packet: what every netback accepts (and we send). */
#define BLANKET_NET_MAX_SLOTS	XEN_NETIF_NR_SLOTS_MIN
/* Ring slots one packet may take on TX: its data and a GSO extra. */
#define BLANKET_NET_TX_PKT_SLOTS (BLANKET_NET_MAX_SLOTS + 1)
#define BLANKET_NET_MAX_QUEUES	16
/* Packets up to this size are copied out and their RX page reused. */
#define BLANKET_NET_RX_COPYBREAK 256
#define BLANKET_NET_NO_REF	((grant_ref_t)~0U)

/* What L0's netback offers, from its xenstore directory. */
struct blanket_netif_features {
	bool rx_copy;
	bool rx_notify;
	bool sg;
	bool gso_tcpv4;
	bool gso_tcpv6;
	bool ipv6_csum;
	bool split_evtchn;
	u32 max_queues;
};

struct blanket_net_tx_slot {
	struct sk_buff *skb;	/* one reference per slot in flight */
	struct page *page;	/* the page granted */
	bool bounce;		/* @page is our copy of the data (untrusted) */
	grant_ref_t ref;	/* this id's grant; BLANKET_NET_NO_REF if lost */
	u16 len;		/* bytes, for byte queue limits */
	u16 next_free;
};

struct blanket_net_rx_buf {
	struct page *page;	/* granted to the backend while posted */
	grant_ref_t ref;
};

struct blanket_net_stats {
	struct u64_stats_sync syncp;
	u64 packets;
	u64 bytes;
	u64 kicks;		/* event channel sends to L0 */
	u64 errors;
	u64 ring_full;		/* TX: times the queue was stopped */
};

struct blanket_net;

struct blanket_net_queue {
	struct blanket_net *nf;
	unsigned int index;
	struct napi_struct napi;
	evtchn_port_t tx_port;
	evtchn_port_t rx_port;	/* == tx_port unless split */
	atomic64_t events;
	/* The producers each port's last event found: event handler only. */
	u32 tx_prod_seen;
	u32 rx_prod_seen;

	/* TX: the xmit path and the completion in NAPI, under tx_lock. */
	spinlock_t tx_lock;
	struct xen_netif_tx_sring *tx_sring;
	grant_ref_t tx_ring_ref;
	u32 tx_req_prod;
	u32 tx_req_checked;	/* what the last kick check covered */
	bool tx_defer;		/* NAPI runs: it kicks for what is sent meanwhile */
	u32 tx_rsp_cons;
	u32 tx_extras;		/* NULL responses the backend owes us */
	u16 tx_free_head;
	/* Ring index after each packet in flight, oldest at the head. */
	u16 tx_ends_head;
	u16 tx_ends_tail;
	u32 tx_ends[BLANKET_NET_TX_RING];
	struct blanket_net_tx_slot tx[BLANKET_NET_TX_RING];
	struct blanket_net_stats tx_stats;

	/* RX: NAPI only. Request i uses buffer and id i % ring size. */
	struct xen_netif_rx_sring *rx_sring;
	grant_ref_t rx_ring_ref;
	u32 rx_req_prod;
	u32 rx_req_checked;
	u32 rx_rsp_cons;
	struct blanket_net_rx_buf rx[BLANKET_NET_RX_RING];
	struct timer_list refill_timer;
	struct blanket_net_stats rx_stats;
};

struct blanket_net {
	struct blanket_device *bdev;
	struct net_device *netdev;
	struct mutex lock;		/* connect and disconnect */
	struct blanket_netif_features be;
	/* Published under rtnl; readers outside it hold RCU. */
	struct blanket_net_queue *queues;
	unsigned int nr_queues;
	/* Set at each connect: netback's offer within our cap. */
	unsigned int max_queues;
	unsigned int channels;		/* from ethtool -L; 0: max_queues */
	struct work_struct reconnect_work;	/* to take up a new channels */
	bool trusted;			/* grant skb pages without a bounce */
	bool broken;
	/* Restored by L0, maybe elsewhere: tell the network at carrier on. */
	bool notify_peers;
};

/* The queues' counters, for every layer that counts. */
static inline void blanket_net_stats_add(struct blanket_net_stats *s,
					 u64 packets, u64 bytes)
{
	u64_stats_update_begin(&s->syncp);
	s->packets += packets;
	s->bytes += bytes;
	u64_stats_update_end(&s->syncp);
}

static inline void blanket_net_stats_inc(struct blanket_net_stats *s, u64 *counter)
{
	u64_stats_update_begin(&s->syncp);
	(*counter)++;
	u64_stats_update_end(&s->syncp);
}

/*
 * Kick netback if it asked to be woken (@req_event) for a request after
 * @*checked, what the last check covered, up to @prod; all published
 * (blanket_ring_publish()). For RX and TX alike.
 */
static inline void blanket_net_kick(struct blanket_net_queue *q, u32 *checked,
				    u32 prod, const u32 *req_event,
				    evtchn_port_t port,
				    struct blanket_net_stats *stats)
{
	u32 old = *checked;

	if (old == prod)
		return;
	*checked = prod;
	if (blanket_ring_check_notify(old, prod, req_event)) {
		blanket_notify(q->nf->bdev, port);
		blanket_net_stats_inc(stats, &stats->kicks);
	}
}

/* netdev.c */
struct net_device *blanket_net_netdev_alloc(struct blanket_device *bdev);
int blanket_net_netdev_connect(struct blanket_net *nf, unsigned int nr);
void blanket_net_netdev_disconnect(struct blanket_net *nf);
void blanket_net_netdev_fatal(struct blanket_device *bdev);

/* queue.c */
struct blanket_net_queue *blanket_net_queues_create(struct blanket_net *nf,
						    unsigned int nr);
void blanket_net_queues_destroy(struct blanket_net_queue *queues, unsigned int nr);
void blanket_net_queue_start(struct blanket_net_queue *q);
void blanket_net_queue_stop(struct blanket_net_queue *q);

/* tx.c, rx.c */
netdev_tx_t blanket_net_start_xmit(struct sk_buff *skb, struct net_device *dev);
void blanket_net_tx_complete(struct blanket_net_queue *q);
void blanket_net_tx_flush(struct blanket_net_queue *q);
u32 blanket_net_tx_event(struct blanket_net_queue *q);
void blanket_net_tx_release(struct blanket_net_queue *q);
int blanket_net_rx_poll(struct blanket_net_queue *q, int budget);
void blanket_net_rx_refill(struct blanket_net_queue *q);
void blanket_net_rx_release(struct blanket_net_queue *q);

/* wire.c: the protocol, with no ring or device state. */
int blanket_netif_read_features(struct blanket_device *bdev,
				struct blanket_netif_features *be);
unsigned int blanket_netif_queues(const struct blanket_netif_features *be,
				  unsigned int cap);
netdev_features_t blanket_netif_tx_features(const struct blanket_netif_features *be);
u16 blanket_netif_tx_csum_flags(const struct sk_buff *skb);
bool blanket_netif_tx_gso(const struct sk_buff *skb,
			  struct xen_netif_extra_info *extra);
unsigned int blanket_netif_tx_slots(const struct sk_buff *skb);
unsigned int blanket_netif_rx_head(unsigned int slots, unsigned int len,
				   unsigned int first, bool *copy_first);
int blanket_netif_rx_check(const struct xen_netif_rx_response *rsp, u32 cons,
			   const char **why);
int blanket_netif_rx_extra(struct sk_buff *skb,
			   const struct xen_netif_extra_info *extra,
			   const char **why);
int blanket_netif_rx_csum(struct sk_buff *skb, u16 flags);

#endif /* _BLANKET_NETFRONT_H */
