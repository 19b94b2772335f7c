// SPDX-License-Identifier: GPL-2.0
/*
 * A queue pair: TX and RX rings shared with netback, their grants and
 * event channels, and the NAPI context that serves both rings.
 */

#include <linux/slab.h>

#include <blanket/ring.h>
#include "netfront.h"

static bool blanket_net_has_work(struct blanket_net_queue *q)
{
	return READ_ONCE(q->rx_sring->rsp_prod) != READ_ONCE(q->rx_rsp_cons) ||
	       READ_ONCE(q->tx_sring->rsp_prod) != READ_ONCE(q->tx_rsp_cons);
}

/*
 * An event is work, and does not count towards throttling its port, if
 * its ring's producer moved since the port's last event: NAPI, woken by
 * the other port or still polling, may well have consumed what a genuine
 * event announces before the event is handled. Responses that are still
 * unconsumed are no news (on a device that is down, nobody consumes
 * them), and a broken device takes no work at all.
 */
static bool blanket_net_event(evtchn_port_t port, void *data)
{
	struct blanket_net_queue *q = data;
	u32 tx = READ_ONCE(q->tx_sring->rsp_prod);
	u32 rx = READ_ONCE(q->rx_sring->rsp_prod);
	bool news = false;

	atomic64_inc(&q->events);
	if (READ_ONCE(q->nf->broken))
		return false;
	if (port == q->tx_port) {
		news |= tx != q->tx_prod_seen;
		q->tx_prod_seen = tx;
	}
	if (port == q->rx_port) {
		news |= rx != q->rx_prod_seen;
		q->rx_prod_seen = rx;
	}
	if (blanket_net_has_work(q))
		napi_schedule(&q->napi);
	return news;
}

static int blanket_net_poll(struct napi_struct *napi, int budget)
{
	struct blanket_net_queue *q = container_of(napi, struct blanket_net_queue, napi);
	bool complete;
	int done = 0;

	if (!READ_ONCE(q->nf->broken)) {
		blanket_net_tx_complete(q);
		done = blanket_net_rx_poll(q, budget);
		blanket_net_rx_refill(q);
	}
	/* GRO hands the stack its packets here, and the stack answers. */
	complete = done < budget && napi_complete_done(napi, done);
	blanket_net_tx_flush(q);
	if (complete) {
		/* Ask for an event at the next RX response, then look once more. */
		WRITE_ONCE(q->rx_sring->rsp_event, q->rx_rsp_cons + 1);
		/* rsp_event out before rsp_prod is read again: no lost event. */
		virt_mb();
		if (blanket_net_has_work(q) && !READ_ONCE(q->nf->broken))
			napi_schedule(napi);
	}
	return done;
}

static void blanket_net_refill_timer(struct timer_list *t)
{
	struct blanket_net_queue *q = timer_container_of(q, t, refill_timer);

	napi_schedule(&q->napi);
}

void blanket_net_queue_start(struct blanket_net_queue *q)
{
	napi_enable(&q->napi);
	/* Whatever netback answered while we were stopped. */
	local_bh_disable();
	napi_schedule(&q->napi);
	local_bh_enable();
}

void blanket_net_queue_stop(struct blanket_net_queue *q)
{
	napi_disable(&q->napi);
	timer_delete_sync(&q->refill_timer);
}

/* One grant reference per TX id and per RX slot, for the queue's life. */
static int blanket_net_queue_refs(struct blanket_net_queue *q)
{
	struct blanket_device *bdev = q->nf->bdev;
	grant_ref_t *refs;
	unsigned int i;
	int err;

	refs = kcalloc(BLANKET_NET_TX_RING + BLANKET_NET_RX_RING, sizeof(*refs),
		       GFP_KERNEL);
	if (!refs)
		return -ENOMEM;
	err = blanket_grant_alloc(bdev, BLANKET_NET_TX_RING + BLANKET_NET_RX_RING, refs);
	for (i = 0; i < BLANKET_NET_TX_RING; i++) {
		q->tx[i].ref = err ? BLANKET_NET_NO_REF : refs[i];
		q->tx[i].next_free = i + 1;
	}
	for (i = 0; i < BLANKET_NET_RX_RING; i++)
		q->rx[i].ref = err ? BLANKET_NET_NO_REF : refs[BLANKET_NET_TX_RING + i];
	kfree(refs);
	return err;
}

/* Named as netfront names its IRQs: blnet0-q0-tx, or blnet0-q0 if shared. */
static int blanket_net_queue_evtchn(struct blanket_net_queue *q,
				    evtchn_port_t *port, const char *suffix)
{
	struct blanket_device *bdev = q->nf->bdev;
	char name[IFNAMSIZ + 16];
	int err = blanket_alloc_evtchn(bdev, port);

	if (err)
		return err;
	snprintf(name, sizeof(name), "%s-q%u%s", netdev_name(q->nf->netdev),
		 q->index, suffix);
	err = blanket_bind_evtchn(bdev, *port, name, blanket_net_event, q);
	if (err) {
		blanket_free_evtchn(bdev, *port);
		return err;
	}
	blanket_spread_evtchn(bdev, *port, q->index);
	return 0;
}

static void blanket_net_queue_destroy(struct blanket_net_queue *q)
{
	struct blanket_device *bdev = q->nf->bdev;

	if (q->rx_port && q->rx_port != q->tx_port)
		blanket_free_evtchn(bdev, q->rx_port);
	if (q->tx_port)
		blanket_free_evtchn(bdev, q->tx_port);
	timer_delete_sync(&q->refill_timer);
	netif_napi_del(&q->napi);
	blanket_net_tx_release(q);
	blanket_net_rx_release(q);
	if (q->tx_sring)
		blanket_teardown_ring(bdev, q->tx_sring, 0, &q->tx_ring_ref);
	if (q->rx_sring)
		blanket_teardown_ring(bdev, q->rx_sring, 0, &q->rx_ring_ref);
}

static int blanket_net_queue_init(struct blanket_net *nf,
				  struct blanket_net_queue *q, unsigned int index)
{
	struct blanket_device *bdev = nf->bdev;
	void *ring;
	int err;

	q->nf = nf;
	q->index = index;
	spin_lock_init(&q->tx_lock);
	u64_stats_init(&q->tx_stats.syncp);
	u64_stats_init(&q->rx_stats.syncp);
	timer_setup(&q->refill_timer, blanket_net_refill_timer, 0);
	/* Disabled until the interface is up; events before then are kept. */
	netif_napi_add(nf->netdev, &q->napi, blanket_net_poll);

	err = blanket_net_queue_refs(q);
	if (err)
		return err;
	ring = blanket_setup_ring(bdev, 0, &q->tx_ring_ref);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	q->tx_sring = ring;
	SHARED_RING_INIT(q->tx_sring);
	ring = blanket_setup_ring(bdev, 0, &q->rx_ring_ref);
	if (IS_ERR(ring))
		return PTR_ERR(ring);
	q->rx_sring = ring;
	SHARED_RING_INIT(q->rx_sring);

	err = blanket_net_queue_evtchn(q, &q->tx_port,
				       nf->be.split_evtchn ? "-tx" : "");
	if (!err && nf->be.split_evtchn)
		err = blanket_net_queue_evtchn(q, &q->rx_port, "-rx");
	else if (!err)
		q->rx_port = q->tx_port;
	if (err)
		return err;
	local_bh_disable();
	blanket_net_rx_refill(q);
	local_bh_enable();
	return 0;
}

/* Build @nr queues; on failure nothing is left behind. */
struct blanket_net_queue *blanket_net_queues_create(struct blanket_net *nf,
						    unsigned int nr)
{
	struct blanket_net_queue *queues;
	unsigned int i;
	int err = 0;

	queues = kvcalloc(nr, sizeof(*queues), GFP_KERNEL);
	if (!queues)
		return ERR_PTR(-ENOMEM);
	for (i = 0; i < nr && !err; i++)
		err = blanket_net_queue_init(nf, &queues[i], i);
	if (err) {
		blanket_net_queues_destroy(queues, i);
		return ERR_PTR(err);
	}
	return queues;
}

/* The queues must be stopped; whatever netback still maps is parked. */
void blanket_net_queues_destroy(struct blanket_net_queue *queues, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		blanket_net_queue_destroy(&queues[i]);
	kvfree(queues);
}
