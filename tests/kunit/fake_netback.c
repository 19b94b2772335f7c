// SPDX-License-Identifier: GPL-2.0
/*
 * The fake netback. It reads what the frontend wrote in xenstore, maps
 * its rings through the fake L0's grant checks, copies TX data out of
 * granted pages and RX data into them (as netback's grant copies do), and
 * answers in ring order through the same producer/event rules.
 */

#include <linux/delay.h>
#include <linux/if_ether.h>
#include <linux/slab.h>

#include <blanket/ring.h>
#include "fake_netback.h"

#define FAKE_NB_WAIT_MS	3000

static int fake_nb_read_u32(struct fake_netback *nb, const char *dir,
			    const char *key, u32 *val)
{
	char path[96], *value;
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, key);
	value = fake_xenstored_get(nb->fl0->xsd, path);
	if (!value)
		return -ENOENT;
	err = kstrtou32(value, 10, val);
	kfree(value);
	return err;
}

int fake_netback_set_state(struct fake_netback *nb, enum xenbus_state state)
{
	char value[4];
	int err;

	snprintf(value, sizeof(value), "%u", state);
	err = fake_xenstored_set(nb->fl0->xsd, FAKE_NB_BACKEND "/state", value);
	fake_xenstored_settle(nb->fl0->xsd);
	return err;
}

/* Wait for the frontend to publish @state: 0 or -ETIMEDOUT. */
int fake_netback_wait_frontend(struct fake_netback *nb, enum xenbus_state state)
{
	unsigned int i;
	u32 now;

	for (i = 0; i < FAKE_NB_WAIT_MS / 20; i++) {
		fake_xenstored_settle(nb->fl0->xsd);
		if (!fake_nb_read_u32(nb, FAKE_NB_FRONTEND, "state", &now) &&
		    now == state)
			return 0;
		msleep(20);
	}
	return -ETIMEDOUT;
}

/* The TX responses and our next event request, published; notify if due. */
static void fake_nb_tx_push(struct fake_nb_queue *q, u32 bump)
{
	u32 old = q->tx->rsp_prod;

	/* Responses before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(q->tx->rsp_prod, q->tx_rsp_prod + bump);
	WRITE_ONCE(q->tx->req_event, q->tx_req_cons + 1);
	/* Both indexes out before rsp_event is read. */
	virt_mb();
	if (!q->nb->tx_quiet &&
	    (bump || blanket_ring_need_notify(old, q->tx_rsp_prod,
					      READ_ONCE(q->tx->rsp_event))))
		fake_l0_raise(q->nb->fl0, q->tx_port);
}

static void fake_nb_tx_respond(struct fake_nb_queue *q, u16 id, s16 status)
{
	struct xen_netif_tx_response *rsp =
		&q->tx->ring[q->tx_rsp_prod++ & (BLANKET_NET_TX_RING - 1)].rsp;

	rsp->id = id;
	rsp->status = status;
}

/*
 * Consume one packet's requests; answer them as the fault says. The
 * stack's own IPv6 chatter on a link that comes up (DAD, router
 * solicitations) is answered but neither recorded nor given the fault.
 */
static void fake_nb_tx_packet(struct fake_nb_queue *q)
{
	struct fake_netback *nb = q->nb;
	struct xen_netif_tx_request req[BLANKET_NET_MAX_SLOTS + 2];
	struct xen_netif_extra_info extra = {};
	enum fake_nb_tx_fault fault;
	unsigned int i, n = 0, rest = 0, off = 0;
	struct fake_nb_pkt *pkt;
	bool chatter;

	do {
		memcpy(&req[n], &q->tx->ring[q->tx_req_cons++ & (BLANKET_NET_TX_RING - 1)].req,
		       sizeof(req[n]));
		if (n == 0 && (req[0].flags & XEN_NETTXF_extra_info))
			memcpy(&extra, &q->tx->ring[q->tx_req_cons++ &
						    (BLANKET_NET_TX_RING - 1)].req,
			       sizeof(extra));
		if (n)
			rest += req[n].size;
	} while ((req[n++].flags & XEN_NETTXF_more_data) && n < ARRAY_SIZE(req));

	pkt = kzalloc(struct_size(pkt, data, req[0].size), GFP_KERNEL);
	if (!pkt || rest > req[0].size) {
		KUNIT_FAIL(nb->test, "TX packet: %u slots, size %u, rest %u",
			   n, req[0].size, rest);
		kfree(pkt);
		return;
	}
	pkt->queue = q->index;
	pkt->len = req[0].size;
	pkt->slots = n;
	pkt->flags = req[0].flags;
	pkt->gso = extra;
	pkt->first_ref = req[0].gref;
	for (i = 0; i < n; i++) {
		unsigned int len = i ? req[i].size : req[0].size - rest;

		if (fake_l0_grant_copy(nb->fl0, req[i].gref, req[i].offset,
				       pkt->data + off, len, false))
			KUNIT_FAIL(nb->test, "TX slot %u: copy failed", i);
		off += len;
	}
	chatter = pkt->len >= ETH_HLEN &&
		  ((struct ethhdr *)pkt->data)->h_proto == htons(ETH_P_IPV6);
	fault = chatter ? FAKE_NB_TX_OK : nb->tx_fault;
	if (fault == FAKE_NB_TX_KEEP_MAPPED) {
		fake_l0_grant_map(nb->fl0, req[0].gref, false);
		nb->kept_ref = req[0].gref;
	}
	if (fault == FAKE_NB_TX_SILENT)
		goto out;

	if (fault == FAKE_NB_TX_EXTRA_NULL)
		fake_nb_tx_respond(q, req[0].id, XEN_NETIF_RSP_NULL);
	else
		fake_nb_tx_respond(q, fault == FAKE_NB_TX_BAD_ID ?
				   BLANKET_NET_TX_RING + 3 : req[0].id,
				   fault == FAKE_NB_TX_BAD_STATUS ? -7 : XEN_NETIF_RSP_OKAY);
	if (extra.type)
		fake_nb_tx_respond(q, 0, XEN_NETIF_RSP_NULL);
	for (i = 1; i < n; i++)
		fake_nb_tx_respond(q, req[i].id, XEN_NETIF_RSP_OKAY);
out:
	if (chatter) {
		kfree(pkt);
	} else {
		nb->tx_fault = FAKE_NB_TX_OK;
		list_add_tail(&pkt->list, &nb->sent);
		nb->nr_sent++;
	}
	fake_nb_tx_push(q, fault == FAKE_NB_TX_BAD_PROD ? 1000 : 0);
}

static void fake_nb_tx_work(struct work_struct *work)
{
	struct fake_nb_queue *q = container_of(work, struct fake_nb_queue, tx_work);
	struct fake_netback *nb = q->nb;

	mutex_lock(&nb->lock);
	while (nb->connected && q->tx_req_cons != READ_ONCE(q->tx->req_prod)) {
		/* The requests after the index that announced them. */
		virt_rmb();
		fake_nb_tx_packet(q);
	}
	mutex_unlock(&nb->lock);
	wake_up_all(&nb->wq);
}

static void fake_nb_tx_kick(void *data)
{
	struct fake_nb_queue *q = data;

	queue_work(system_unbound_wq, &q->tx_work);
}

/* The @n-th packet the frontend sent (from 1), waiting for it to arrive. */
struct fake_nb_pkt *fake_netback_wait_sent(struct fake_netback *nb,
					   unsigned int n)
{
	struct fake_nb_pkt *pkt;

	wait_event_timeout(nb->wq, READ_ONCE(nb->nr_sent) >= n,
			   msecs_to_jiffies(FAKE_NB_WAIT_MS));
	mutex_lock(&nb->lock);
	list_for_each_entry(pkt, &nb->sent, list) {
		if (--n == 0) {
			mutex_unlock(&nb->lock);
			return pkt;
		}
	}
	mutex_unlock(&nb->lock);
	return NULL;
}

static void fake_nb_rx_push(struct fake_nb_queue *q, u32 bump)
{
	/* Responses before the index that publishes them. */
	virt_wmb();
	WRITE_ONCE(q->rx->rsp_prod, q->rx_rsp_prod + bump);
	/* The frontend is always notified: ordering only, no event check. */
	virt_mb();
	fake_l0_raise(q->nb->fl0, q->rx_port);
}

/* Take the next RX request netback may fill; -EAGAIN if none is posted. */
static int fake_nb_rx_request(struct fake_nb_queue *q,
			      struct xen_netif_rx_request *req)
{
	if (q->rx_req_cons == READ_ONCE(q->rx->req_prod))
		return -EAGAIN;
	/* The request after the index that announced it. */
	virt_rmb();
	memcpy(req, &q->rx->ring[q->rx_req_cons++ & (BLANKET_NET_RX_RING - 1)].req,
	       sizeof(*req));
	return 0;
}

/*
 * Deliver a packet in @n slots, slot i carrying @sizes[i] bytes: @flags on
 * the first response, and @gso (if any) in an extra info slot after it.
 */
int fake_netback_rx_slots(struct fake_netback *nb, unsigned int queue,
			  const void *data, const unsigned int *sizes,
			  unsigned int n, u16 flags,
			  const struct xen_netif_extra_info *gso)
{
	struct fake_nb_queue *q = &nb->q[queue];
	struct xen_netif_rx_request req;
	unsigned int i, off = 0;
	int err = 0;

	mutex_lock(&nb->lock);
	if (blanket_ring_used(READ_ONCE(q->rx->req_prod), q->rx_req_cons) <
	    n + !!gso) {
		mutex_unlock(&nb->lock);
		return -EAGAIN;
	}
	for (i = 0; i < n && !err; i++) {
		struct xen_netif_rx_response *rsp;

		fake_nb_rx_request(q, &req);
		err = fake_l0_grant_copy(nb->fl0, req.gref, 0, (void *)data + off,
					 sizes[i], true);
		rsp = &q->rx->ring[q->rx_rsp_prod++ & (BLANKET_NET_RX_RING - 1)].rsp;
		rsp->id = req.id;
		rsp->offset = 0;
		rsp->status = sizes[i];
		rsp->flags = (i ? 0 : flags | (gso ? XEN_NETRXF_extra_info : 0)) |
			     (i + 1 < n ? XEN_NETRXF_more_data : 0);
		off += sizes[i];
		if (i == 0 && gso) {
			fake_nb_rx_request(q, &req);
			memcpy(&q->rx->ring[q->rx_rsp_prod++ & (BLANKET_NET_RX_RING - 1)].rsp,
			       gso, sizeof(*gso));
		}
	}
	fake_nb_rx_push(q, 0);
	mutex_unlock(&nb->lock);
	return err;
}

/* Deliver a packet in as few slots as it fits, one page each. */
int fake_netback_rx(struct fake_netback *nb, unsigned int queue,
		    const void *data, unsigned int len, u16 flags,
		    const struct xen_netif_extra_info *gso)
{
	unsigned int sizes[BLANKET_NET_MAX_SLOTS], n = 0, off = 0;

	do {
		sizes[n] = min_t(unsigned int, len - off, PAGE_SIZE);
		off += sizes[n++];
	} while (off < len && n < ARRAY_SIZE(sizes));
	if (off < len)
		return -EMSGSIZE;
	return fake_netback_rx_slots(nb, queue, data, sizes, n, flags, gso);
}

/*
 * Write @n response slots as given, consuming as many requests, and move
 * the producer @prod_bump further than that: a backend breaking the rules.
 */
int fake_netback_rx_raw(struct fake_netback *nb, unsigned int queue,
			const union xen_netif_rx_sring_entry *rsps,
			unsigned int n, u32 prod_bump)
{
	struct fake_nb_queue *q = &nb->q[queue];
	struct xen_netif_rx_request req;
	unsigned int i;
	int err = 0;

	mutex_lock(&nb->lock);
	for (i = 0; i < n && !err; i++) {
		err = fake_nb_rx_request(q, &req);
		memcpy(&q->rx->ring[q->rx_rsp_prod++ & (BLANKET_NET_RX_RING - 1)].rsp,
		       &rsps[i].rsp, sizeof(rsps[i].rsp));
	}
	fake_nb_rx_push(q, prod_bump);
	mutex_unlock(&nb->lock);
	return err;
}

static int fake_nb_map_queue(struct fake_netback *nb, unsigned int i)
{
	struct fake_nb_queue *q = &nb->q[i];
	char dir[64];
	u32 tx_ref, rx_ref, tx_port, rx_port;
	int err;

	if (nb->nr_queues > 1)
		snprintf(dir, sizeof(dir), FAKE_NB_FRONTEND "/queue-%u", i);
	else
		snprintf(dir, sizeof(dir), FAKE_NB_FRONTEND);
	err = fake_nb_read_u32(nb, dir, "tx-ring-ref", &tx_ref);
	err = err ?: fake_nb_read_u32(nb, dir, "rx-ring-ref", &rx_ref);
	if (err)
		return err;
	if (nb->split) {
		err = fake_nb_read_u32(nb, dir, "event-channel-tx", &tx_port);
		err = err ?: fake_nb_read_u32(nb, dir, "event-channel-rx", &rx_port);
	} else {
		err = fake_nb_read_u32(nb, dir, "event-channel", &tx_port);
		rx_port = tx_port;
	}
	if (err)
		return err;
	q->tx = fake_l0_grant_map(nb->fl0, tx_ref, true);
	q->rx = fake_l0_grant_map(nb->fl0, rx_ref, true);
	if (!q->tx || !q->rx)
		return -EPERM;
	q->tx_ref = tx_ref;
	q->rx_ref = rx_ref;
	q->tx_port = tx_port;
	q->rx_port = rx_port;
	/* Netback attaches where the rings stand: fresh ones stand at 0. */
	q->tx_rsp_prod = READ_ONCE(q->tx->rsp_prod);
	q->tx_req_cons = q->tx_rsp_prod;
	q->rx_rsp_prod = READ_ONCE(q->rx->rsp_prod);
	q->rx_req_cons = q->rx_rsp_prod;
	fake_l0_bind_backend(nb->fl0, tx_port, fake_nb_tx_kick, q);
	return 0;
}

/* InitWait, then map what the frontend published and go Connected. */
int fake_netback_connect(struct fake_netback *nb)
{
	unsigned int i;
	u32 nr = 1;
	int err;

	err = fake_netback_set_state(nb, XenbusStateInitWait);
	err = err ?: fake_netback_wait_frontend(nb, XenbusStateConnected);
	if (err)
		return err;
	fake_nb_read_u32(nb, FAKE_NB_FRONTEND, "multi-queue-num-queues", &nr);
	if (!nr || nr > FAKE_NB_MAX_QUEUES)
		return -EPROTO;
	mutex_lock(&nb->lock);
	nb->nr_queues = nr;
	for (i = 0; i < nr && !err; i++)
		err = fake_nb_map_queue(nb, i);
	nb->connected = !err;
	mutex_unlock(&nb->lock);
	/*
	 * Xen leaves a port pending when a backend binds it, for what was
	 * sent while it was unbound: look at the requests once.
	 */
	for (i = 0; i < nr && !err; i++)
		fake_nb_tx_kick(&nb->q[i]);
	return err ?: fake_netback_set_state(nb, XenbusStateConnected);
}

/* Let go of the frontend's rings and ports, as netback does on Closing. */
void fake_netback_disconnect(struct fake_netback *nb)
{
	unsigned int i;

	mutex_lock(&nb->lock);
	for (i = 0; i < nb->nr_queues && nb->connected; i++) {
		struct fake_nb_queue *q = &nb->q[i];

		if (fake_l0_port_open(nb->fl0, q->tx_port))
			fake_l0_bind_backend(nb->fl0, q->tx_port, NULL, NULL);
		fake_l0_grant_unmap(nb->fl0, q->tx_ref, true);
		fake_l0_grant_unmap(nb->fl0, q->rx_ref, true);
	}
	nb->connected = false;
	mutex_unlock(&nb->lock);
	for (i = 0; i < FAKE_NB_MAX_QUEUES; i++)
		cancel_work_sync(&nb->q[i].tx_work);
}

static void fake_nb_free(struct kunit_resource *res)
{
	struct fake_netback *nb = res->data;
	struct fake_nb_pkt *pkt, *tmp;

	fake_netback_disconnect(nb);
	fake_netback_set_state(nb, XenbusStateClosed);
	list_for_each_entry_safe(pkt, tmp, &nb->sent, list)
		kfree(pkt);
	kfree(nb);
}

static int fake_nb_init(struct kunit_resource *res, void *context)
{
	res->data = context;
	return 0;
}

/*
 * A netback for vif 0 offering @features ("key=value", NULL-terminated),
 * with the device node and its mac in place. Torn down with the test,
 * before the fake L0.
 */
struct fake_netback *fake_netback_create(struct kunit *test, struct fake_l0 *fl0,
					 const char *const *features)
{
	struct fake_netback *nb = kzalloc(sizeof(*nb), GFP_KERNEL);
	char path[96];
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, nb);
	nb->test = test;
	nb->fl0 = fl0;
	mutex_init(&nb->lock);
	INIT_LIST_HEAD(&nb->sent);
	init_waitqueue_head(&nb->wq);
	for (i = 0; i < FAKE_NB_MAX_QUEUES; i++) {
		nb->q[i].nb = nb;
		nb->q[i].index = i;
		INIT_WORK(&nb->q[i].tx_work, fake_nb_tx_work);
	}
	KUNIT_ASSERT_NOT_NULL(test, kunit_alloc_resource(test, fake_nb_init,
							 fake_nb_free, GFP_KERNEL, nb));
	for (; *features; features++) {
		const char *eq = strchr(*features, '=');

		KUNIT_ASSERT_NOT_NULL(test, eq);
		snprintf(path, sizeof(path), FAKE_NB_BACKEND "/%.*s",
			 (int)(eq - *features), *features);
		KUNIT_ASSERT_EQ(test, fake_xenstored_set(fl0->xsd, path, eq + 1), 0);
		if (!strcmp(*features, "feature-split-event-channels=1"))
			nb->split = true;
	}
	KUNIT_ASSERT_EQ(test, fake_xenstored_set(fl0->xsd, FAKE_NB_FRONTEND "/mac",
						 "00:16:3e:5a:00:01"), 0);
	KUNIT_ASSERT_EQ(test, fake_l0_add_device(fl0, "vif", 0, FAKE_NB_BACKEND), 0);
	return nb;
}
