// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_net against a fake netback on a fake L0: the handshake, TX of
 * linear, SG and GSO packets, RX into skbs, every malformed response
 * class, and reconnection without a leaked grant. The driver under test
 * is the real one, bound through the real bus.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/ip.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/sizes.h>
#include <linux/tcp.h>

#include <blanket/test_export.h>
#include "blanket_xenbus/bus.h"
#include "fake_netback.h"
#include "sysfs.h"

#define ETH_P_TEST 0x88b5	/* local experimental: no protocol claims it */
/* KUNIT_EXPECT_MEMEQ arrived in 6.2. */
#define NET_EXPECT_MEMEQ(test, a, b, n) KUNIT_EXPECT_EQ(test, memcmp(a, b, n), 0)

static const char *const net_features[] = {
	"feature-rx-copy=1", "feature-sg=1", "feature-gso-tcpv4=1",
	"feature-gso-tcpv6=1", "feature-ipv6-csum-offload=1",
	"feature-rx-notify=1", NULL
};

/* Split event channels: a test's RX port hears only what it is sent. */
static const char *const net_split_features[] = {
	"feature-rx-copy=1", "feature-sg=1",
	"feature-split-event-channels=1", NULL
};

struct net_fixture {
	struct fake_l0 *fl0;
	struct fake_netback *nb;
	struct blanket_net *nf;
	struct packet_type tap;
	struct sk_buff_head rx;		/* what the stack received */
	wait_queue_head_t wq;
	struct packet_type answer;	/* answers in the poll, net_tx_answer_test */
	unsigned int answered;
	u64 answer_kicks;		/* kicks while it answered */
	bool notify_peers_nb;		/* net_notify_peers_nb registered */
};

static int net_tap(struct sk_buff *skb, struct net_device *dev,
		   struct packet_type *pt, struct net_device *orig)
{
	struct net_fixture *fx = container_of(pt, struct net_fixture, tap);

	/* Our own stack's packets (IPv6 autoconfiguration) pass here too. */
	if (skb->pkt_type == PACKET_OUTGOING) {
		consume_skb(skb);
		return 0;
	}
	/* The stack still uses this skb (its list links too): keep a clone. */
	skb = skb_share_check(skb, GFP_ATOMIC);
	if (!skb)
		return 0;
	skb_queue_tail(&fx->rx, skb);
	wake_up_all(&fx->wq);
	return 0;
}

static struct blanket_net *net_find(void)
{
	struct blanket_device *bdev = blanket_bus_find_device("vif", 0);
	struct blanket_net *nf;

	if (!bdev)
		return NULL;
	nf = dev_get_drvdata(&bdev->dev);
	put_device(&bdev->dev);
	return nf;
}

/* Up, with a tap on everything the stack receives from it. */
static void net_open(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	int err;

	rtnl_lock();
	err = dev_open(fx->nf->netdev, NULL);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	fx->tap.type = htons(ETH_P_ALL);
	fx->tap.dev = fx->nf->netdev;
	fx->tap.func = net_tap;
	dev_add_pack(&fx->tap);
}

/* Bring vif 0 up against a netback offering @features. */
static void net_setup(struct kunit *test, const char *const *features,
		      bool connect)
{
	struct net_fixture *fx = test->priv;

	fx->fl0 = fake_l0_start(test);
	fx->nb = fake_netback_create(test, fx->fl0, features);
	fake_l0_enumerate(fx->fl0);
	fx->nf = net_find();
	KUNIT_ASSERT_NOT_NULL(test, fx->nf);
	if (!connect)
		return;
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	net_open(test);
}

/* The same, connected and up with @max_queues as our cap. */
static void net_setup_queues(struct kunit *test, const char *const *features,
			     const char *max_queues)
{
	struct net_fixture *fx = test->priv;

	net_setup(test, features, false);
	test_param_set(test, "blanket_net", "max_queues", max_queues);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	net_open(test);
}

static int net_test_init(struct kunit *test)
{
	struct net_fixture *fx = kunit_kzalloc(test, sizeof(*fx), GFP_KERNEL);

	if (!fx)
		return -ENOMEM;
	skb_queue_head_init(&fx->rx);
	init_waitqueue_head(&fx->wq);
	test->priv = fx;
	return 0;
}

/* Counts NETDEV_NOTIFY_PEERS of net_notified_dev (net_save_restore()). */
static struct net_device *net_notified_dev;
static atomic_t net_peers_notified;

static int net_notify_peers_cb(struct notifier_block *nb, unsigned long event,
			       void *ptr)
{
	if (event == NETDEV_NOTIFY_PEERS &&
	    netdev_notifier_info_to_dev(ptr) == READ_ONCE(net_notified_dev))
		atomic_inc(&net_peers_notified);
	return NOTIFY_DONE;
}

static struct notifier_block net_notify_peers_nb = {
	.notifier_call = net_notify_peers_cb,
};

static void net_test_exit(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	if (fx->tap.func)
		dev_remove_pack(&fx->tap);
	if (fx->answer.func)
		dev_remove_pack(&fx->answer);
	if (fx->notify_peers_nb)
		unregister_netdevice_notifier(&net_notify_peers_nb);
	skb_queue_purge(&fx->rx);
}

static struct sk_buff *net_wait_rx(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	wait_event_timeout(fx->wq, !skb_queue_empty(&fx->rx), HZ * 3);
	return skb_dequeue(&fx->rx);
}

static void net_fill(u8 *buf, unsigned int len, u8 seed)
{
	unsigned int i;

	for (i = 0; i < len; i++)
		buf[i] = seed + i * 7;
}

/* An Ethernet frame of @len bytes with a recognisable payload. */
static void net_frame(struct net_fixture *fx, u8 *buf, unsigned int len, u8 seed)
{
	struct ethhdr *eth = (struct ethhdr *)buf;

	net_fill(buf, len, seed);
	ether_addr_copy(eth->h_dest, fx->nf->netdev->dev_addr);
	eth_broadcast_addr(eth->h_source);
	eth->h_source[0] = 0x02;
	eth->h_proto = htons(ETH_P_TEST);
}

/* @skb through queue 0, as the stack would send it; any context. */
static netdev_tx_t net_start_xmit(struct net_device *dev, struct sk_buff *skb)
{
	struct netdev_queue *txq = netdev_get_tx_queue(dev, 0);
	netdev_tx_t ret;

	skb->dev = dev;
	skb_set_queue_mapping(skb, 0);
	local_bh_disable();
	__netif_tx_lock(txq, smp_processor_id());
	ret = dev->netdev_ops->ndo_start_xmit(skb, dev);
	__netif_tx_unlock(txq);
	local_bh_enable();
	return ret;
}

static void net_xmit(struct kunit *test, struct sk_buff *skb)
{
	struct net_fixture *fx = test->priv;

	KUNIT_EXPECT_EQ(test, net_start_xmit(fx->nf->netdev, skb), NETDEV_TX_OK);
}

/* A linear frame of @len bytes with payload @seed, in @*frame and an skb. */
static struct sk_buff *net_frame_skb(struct kunit *test, unsigned int len,
				     u8 seed, u8 **frame)
{
	struct net_fixture *fx = test->priv;
	struct sk_buff *skb;

	*frame = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, *frame);
	net_frame(fx, *frame, len, seed);
	skb = alloc_skb(len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, *frame, len);
	skb->dev = fx->nf->netdev;
	skb_set_queue_mapping(skb, 0);
	return skb;
}

/* Transmit a linear frame of @len bytes with payload @seed; returns it. */
static u8 *net_send_frame(struct kunit *test, unsigned int len, u8 seed)
{
	u8 *frame;

	net_xmit(test, net_frame_skb(test, len, seed, &frame));
	return frame;
}

/*
 * The frontend's key @key: equal to @want, present with any value if
 * @want is "", absent if @want is NULL.
 */
static void net_expect_key(struct kunit *test, const char *key, const char *want)
{
	struct net_fixture *fx = test->priv;
	char path[64], *v;

	snprintf(path, sizeof(path), FAKE_NB_FRONTEND "/%s", key);
	v = fake_xenstored_get(fx->fl0->xsd, path);
	if (!want)
		KUNIT_EXPECT_NULL_MSG(test, v, "%s", path);
	else if (!*want)
		KUNIT_EXPECT_NOT_NULL_MSG(test, v, "%s", path);
	else
		KUNIT_EXPECT_STREQ_MSG(test, v ?: "(absent)", want, "%s", path);
	kfree(v);
}

/* No TX slot of queue 0 is still waiting for netback. */
static bool net_tx_idle(struct blanket_net *nf)
{
	unsigned int i, tries;

	for (tries = 0; tries < 150; tries++) {
		for (i = 0; i < BLANKET_NET_TX_RING; i++)
			if (READ_ONCE(nf->queues[0].tx[i].skb))
				break;
		if (i == BLANKET_NET_TX_RING)
			return true;
		msleep(20);
	}
	return false;
}

static bool net_wait_broken(struct blanket_net *nf)
{
	unsigned int tries;

	for (tries = 0; tries < 150 && !READ_ONCE(nf->broken); tries++)
		msleep(20);
	return READ_ONCE(nf->broken);
}

/* Grants parked while L0 mapped them go back once it lets go. */
static bool net_wait_undeferred(struct fake_l0 *fl0)
{
	unsigned int tries;

	for (tries = 0; tries < 150 && fake_l0_grants_deferred(fl0); tries++)
		msleep(20);
	return !fake_l0_grants_deferred(fl0);
}

static void net_connect_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct net_device *dev;

	net_setup(test, net_features, true);
	dev = fx->nf->netdev;
	KUNIT_EXPECT_STREQ(test, netdev_name(dev), "blnet0");
	NET_EXPECT_MEMEQ(test, dev->dev_addr, "\x00\x16\x3e\x5a\x00\x01", ETH_ALEN);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(dev));
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 1U);
	KUNIT_EXPECT_TRUE(test, dev->features & NETIF_F_TSO);
	KUNIT_EXPECT_TRUE(test, dev->features & NETIF_F_SG);
	net_expect_key(test, "request-rx-copy", "1");
	/* One queue: no per-queue directories. */
	net_expect_key(test, "multi-queue-num-queues", NULL);

	/* Netback leaves: the carrier goes with it. */
	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_EXPECT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(dev));
}

static void net_tx_linear_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 1000;
	struct fake_nb_pkt *pkt;
	u8 *frame;

	net_setup(test, net_features, true);
	frame = net_send_frame(test, len, 1);

	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, pkt->len, len);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	KUNIT_EXPECT_EQ(test, pkt->flags, 0);
	KUNIT_EXPECT_EQ(test, pkt->gso.type, 0);
	KUNIT_EXPECT_TRUE(test, net_tx_idle(fx->nf));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
}

/* A TCP/IPv4 GSO packet: 66 header bytes, payload in page fragments. */
static struct sk_buff *net_gso_skb(struct kunit *test, u8 *frame,
				   unsigned int len, unsigned int frag_off)
{
	struct net_fixture *fx = test->priv;
	unsigned int hlen = ETH_HLEN + sizeof(struct iphdr) + sizeof(struct tcphdr);
	unsigned int off = hlen, nr = 0;
	struct sk_buff *skb;
	struct iphdr *iph;

	net_frame(fx, frame, len, 3);
	((struct ethhdr *)frame)->h_proto = htons(ETH_P_IP);
	iph = (struct iphdr *)(frame + ETH_HLEN);
	iph->version = 4;
	iph->ihl = 5;
	iph->protocol = IPPROTO_TCP;
	iph->tot_len = htons(len - ETH_HLEN);
	skb = alloc_skb(hlen, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_put_data(skb, frame, hlen);
	while (off < len) {
		struct page *page = alloc_pages(GFP_KERNEL, 1);
		unsigned int chunk = min(len - off, 2 * (unsigned int)PAGE_SIZE - frag_off);

		KUNIT_ASSERT_NOT_NULL(test, page);
		memcpy(page_address(page) + frag_off, frame + off, chunk);
		skb_fill_page_desc(skb, nr++, page, frag_off, chunk);
		skb->len += chunk;
		skb->data_len += chunk;
		skb->truesize += 2 * PAGE_SIZE;
		off += chunk;
	}
	skb_reset_mac_header(skb);
	skb_set_network_header(skb, ETH_HLEN);
	skb_set_transport_header(skb, ETH_HLEN + sizeof(struct iphdr));
	skb->ip_summed = CHECKSUM_PARTIAL;
	skb->csum_start = skb_headroom(skb) + ETH_HLEN + sizeof(struct iphdr);
	skb->csum_offset = offsetof(struct tcphdr, check);
	skb_shinfo(skb)->gso_size = 1448;
	skb_shinfo(skb)->gso_type = SKB_GSO_TCPV4;
	return skb;
}

static void net_tx_sg_gso_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 20000;
	struct fake_nb_pkt *pkt;
	struct sk_buff *skb;
	unsigned int slots;
	u8 *frame;

	net_setup(test, net_features, true);
	frame = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frame);
	/* Fragments that start mid-page and cross page boundaries. */
	skb = net_gso_skb(test, frame, len, 100);
	slots = blanket_netif_tx_slots(skb);
	net_xmit(test, skb);

	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, pkt->len, len);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	KUNIT_EXPECT_EQ(test, pkt->slots, slots);
	KUNIT_EXPECT_EQ(test, pkt->flags & ~XEN_NETTXF_more_data,
			XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated |
			XEN_NETTXF_extra_info);
	KUNIT_EXPECT_EQ(test, pkt->gso.type, XEN_NETIF_EXTRA_TYPE_GSO);
	KUNIT_EXPECT_EQ(test, pkt->gso.u.gso.size, 1448);
	KUNIT_EXPECT_EQ(test, pkt->gso.u.gso.type, XEN_NETIF_GSO_TYPE_TCPV4);
	KUNIT_EXPECT_TRUE(test, net_tx_idle(fx->nf));
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
}

/* Untrusted: netback sees zeroed RX pages and TX copies, never skb pages. */
static void net_tx_untrusted_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 5000;
	struct fake_nb_pkt *pkt;
	struct sk_buff *skb;
	u8 *frame, *page;
	unsigned int i;

	net_setup(test, net_features, false);
	test_param_set(test, "blanket_net", "trusted", "0");
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_ASSERT_FALSE(test, fx->nf->trusted);
	net_open(test);
	/* RX pages, which netback may map, hold nothing but zeroes. */
	page = fake_l0_grant_map(fx->fl0, fx->nb->q[0].rx->ring[7].req.gref, false);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(page, 0, PAGE_SIZE));
	fake_l0_grant_unmap(fx->fl0, fx->nb->q[0].rx->ring[7].req.gref, false);

	frame = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frame);
	skb = net_gso_skb(test, frame, len, 0);
	fx->nb->tx_fault = FAKE_NB_TX_SILENT;	/* keep the grants to look at */
	net_xmit(test, skb);

	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	KUNIT_EXPECT_EQ(test, pkt->slots, 2U);
	page = fake_l0_grant_map(fx->fl0, pkt->first_ref, false);
	KUNIT_ASSERT_NOT_NULL(test, page);
	NET_EXPECT_MEMEQ(test, page, frame, PAGE_SIZE);
	KUNIT_EXPECT_PTR_NE(test, (void *)page, (void *)skb->data);
	fake_l0_grant_unmap(fx->fl0, pkt->first_ref, false);
	page = NULL;
	for (i = 0; i < BLANKET_NET_TX_RING; i++)
		if (fx->nf->queues[0].tx[i].skb && fx->nf->queues[0].tx[i].len < PAGE_SIZE)
			page = page_address(fx->nf->queues[0].tx[i].page);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_TRUE(test, !memchr_inv(page + len - PAGE_SIZE, 0, 2 * PAGE_SIZE - len));
}

static void net_rx_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int big = 9000;
	struct sk_buff *skb;
	u8 small[100], *frame, *copy;

	net_setup(test, net_features, true);
	net_frame(fx, small, sizeof(small), 5);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, small, sizeof(small),
					      XEN_NETRXF_data_validated, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, (unsigned int)sizeof(small));
	NET_EXPECT_MEMEQ(test, skb_mac_header(skb), small, sizeof(small));
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ETH_P_TEST);
	KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_UNNECESSARY);
	kfree_skb(skb);

	/* Three slots: a linear head and page fragments, data intact. */
	frame = kunit_kmalloc(test, big, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frame);
	net_frame(fx, frame, big, 9);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, big, 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, big);
	KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_NONE);
	NET_EXPECT_MEMEQ(test, skb_mac_header(skb), frame, ETH_HLEN);
	copy = kunit_kmalloc(test, big, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, copy, big - ETH_HLEN), 0);
	NET_EXPECT_MEMEQ(test, copy, frame + ETH_HLEN, big - ETH_HLEN);
	kfree_skb(skb);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
}

/* A GSO packet from netback: partial checksum located, GSO kept, DODGY. */
static void net_rx_gso_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct xen_netif_extra_info gso = {
		.type = XEN_NETIF_EXTRA_TYPE_GSO,
		.u.gso = { .size = 1448, .type = XEN_NETIF_GSO_TYPE_TCPV4 },
	};
	const unsigned int len = 6000;
	struct sk_buff *skb, *tx;
	u8 *frame;

	net_setup(test, net_features, true);
	frame = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frame);
	tx = net_gso_skb(test, frame, len, 0);	/* just for its frame bytes */
	kfree_skb(tx);
	((struct iphdr *)(frame + ETH_HLEN))->frag_off = 0;
	((struct tcphdr *)(frame + ETH_HLEN + sizeof(struct iphdr)))->doff = 5;
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, len,
					      XEN_NETRXF_csum_blank |
					      XEN_NETRXF_data_validated, &gso), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, len);
	KUNIT_EXPECT_EQ(test, (u8)skb->ip_summed, CHECKSUM_PARTIAL);
	KUNIT_EXPECT_EQ(test, skb_checksum_start_offset(skb),
			(int)(sizeof(struct iphdr)));
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_size, 1448);
	KUNIT_EXPECT_EQ(test, skb_shinfo(skb)->gso_type,
			(unsigned int)(SKB_GSO_TCPV4 | SKB_GSO_DODGY));
	kfree_skb(skb);
}

/*
 * The RX head has room for the copybreak pull, and for a first slot copied
 * into it: the pull never allocates, so it cannot fail and leave part of
 * the Ethernet header outside the head.
 */
static void net_rx_head_test(struct kunit *test)
{
	static const struct {
		unsigned int slots, len, first;
		bool copy;
	} cases[] = {
		{ 1, 60, 60, true },
		{ 1, 1000, 1000, false },
		{ 3, 9000, 4096, false },
		/* More slots than an skb has frags, the first tiny or whole. */
		{ MAX_SKB_FRAGS + 1, 2 + MAX_SKB_FRAGS * 80, 2, true },
		{ MAX_SKB_FRAGS + 1, (MAX_SKB_FRAGS + 1) * 4096, 4096, true },
	};
	unsigned int i, head, pulled;
	bool copy;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		head = blanket_netif_rx_head(cases[i].slots, cases[i].len,
					     cases[i].first, &copy);
		pulled = min(cases[i].len, BLANKET_NET_RX_COPYBREAK);
		KUNIT_EXPECT_EQ_MSG(test, copy, cases[i].copy, "case %u", i);
		KUNIT_EXPECT_GE_MSG(test, head, pulled, "case %u", i);
		if (copy)
			KUNIT_EXPECT_GE_MSG(test, head, cases[i].first, "case %u", i);
	}
}

/*
 * A packet in more slots than an skb has frags, its first slot shorter
 * than an Ethernet header: it arrives whole, its header in the head.
 */
static void net_rx_tiny_first_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	unsigned int sizes[BLANKET_NET_MAX_SLOTS], i, len = 0;
	struct sk_buff *skb;
	u8 *frame, *copy;

	net_setup(test, net_features, true);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		sizes[i] = i ? 80 : 2;
		len += sizes[i];
	}
	frame = kunit_kmalloc(test, len, GFP_KERNEL);
	copy = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, frame);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	net_frame(fx, frame, len, 12);
	KUNIT_ASSERT_EQ(test, fake_netback_rx_slots(fx->nb, 0, frame, sizes,
						    ARRAY_SIZE(sizes), 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, len);
	KUNIT_EXPECT_EQ(test, ntohs(skb->protocol), ETH_P_TEST);
	NET_EXPECT_MEMEQ(test, skb_mac_header(skb), frame, ETH_HLEN);
	KUNIT_ASSERT_EQ(test, skb_copy_bits(skb, 0, copy, len - ETH_HLEN), 0);
	NET_EXPECT_MEMEQ(test, copy, frame + ETH_HLEN, len - ETH_HLEN);
	kfree_skb(skb);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
}

struct net_rx_fault {
	const char *name;
	struct xen_netif_rx_response rsp[3];
	unsigned int n;
	u32 prod_bump;
};

/* Ids are filled in as the ring index unless a case sets them itself. */
#define NET_OK_ID 0xffff
static const struct net_rx_fault net_rx_faults[] = {
	{ "producer past the requests", { { NET_OK_ID, 0, 0, 60 } }, 1, 300 },
	{ "id out of order", { { 77, 0, 0, 60 } }, 1, 0 },
	{ "data outside its page", { { NET_OK_ID, 4000, 0, 200 } }, 1, 0 },
	{ "unknown status", { { NET_OK_ID, 0, 0, -9 } }, 1, 0 },
	{ "gso prefix", { { NET_OK_ID, 0, XEN_NETRXF_gso_prefix, 60 } }, 1, 0 },
	{ "unknown extra type",
	  { { NET_OK_ID, 0, XEN_NETRXF_extra_info, 60 }, { 0x0009 } }, 2, 0 },
	{ "bad gso type",
	  { { NET_OK_ID, 0, XEN_NETRXF_extra_info, 60 }, { 0x0001, 1448, 0x0009 } },
	  2, 0 },
	/* Netback publishes whole packets: one cut off at rsp_prod is a lie. */
	{ "data cut off at the producer",
	  { { NET_OK_ID, 0, XEN_NETRXF_more_data, 60 } }, 1, 0 },
	{ "extra info cut off at the producer",
	  { { NET_OK_ID, 0, XEN_NETRXF_extra_info, 60 } }, 1, 0 },
};

static void net_rx_fault_desc(const struct net_rx_fault *f, char *desc)
{
	strscpy(desc, f->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(net_rx_fault, net_rx_faults, net_rx_fault_desc);

/* Every malformed RX response marks the device broken; nothing leaks. */
static void net_rx_hostile_test(struct kunit *test)
{
	const struct net_rx_fault *f = test->param_value;
	struct net_fixture *fx = test->priv;
	union xen_netif_rx_sring_entry e[3] = {};
	unsigned int i;
	u32 base;

	net_setup(test, net_features, true);
	base = fx->nb->q[0].rx_rsp_prod;
	for (i = 0; i < f->n; i++) {
		e[i].rsp = f->rsp[i];
		if (e[i].rsp.id == NET_OK_ID)
			e[i].rsp.id = (base + i) & (BLANKET_NET_RX_RING - 1);
	}
	fake_netback_rx_raw(fx->nb, 0, e, f->n, f->prod_bump);
	KUNIT_EXPECT_TRUE(test, net_wait_broken(fx->nf));
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_EXPECT_NULL(test, net_wait_rx(test));
}

/* Too many slots for one packet: 19 chained responses. */
static void net_rx_too_many_slots_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	union xen_netif_rx_sring_entry e[BLANKET_NET_MAX_SLOTS + 1] = {};
	unsigned int i;
	u32 base;

	net_setup(test, net_features, true);
	base = fx->nb->q[0].rx_rsp_prod;
	for (i = 0; i < ARRAY_SIZE(e); i++) {
		e[i].rsp.id = (base + i) & (BLANKET_NET_RX_RING - 1);
		e[i].rsp.status = 100;
		e[i].rsp.flags = XEN_NETRXF_more_data;
	}
	fake_netback_rx_raw(fx->nb, 0, e, ARRAY_SIZE(e), 0);
	KUNIT_EXPECT_TRUE(test, net_wait_broken(fx->nf));
}

static const enum fake_nb_tx_fault net_tx_faults[] = {
	FAKE_NB_TX_BAD_ID, FAKE_NB_TX_BAD_STATUS, FAKE_NB_TX_EXTRA_NULL,
	FAKE_NB_TX_BAD_PROD, FAKE_NB_TX_KEEP_MAPPED,
};

static void net_tx_fault_desc(const enum fake_nb_tx_fault *f, char *desc)
{
	static const char *const names[] = {
		[FAKE_NB_TX_BAD_ID] = "id not in flight",
		[FAKE_NB_TX_BAD_STATUS] = "unknown status",
		[FAKE_NB_TX_EXTRA_NULL] = "NULL for no extra slot",
		[FAKE_NB_TX_BAD_PROD] = "producer past the requests",
		[FAKE_NB_TX_KEEP_MAPPED] = "grant still mapped",
	};

	strscpy(desc, names[*f], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(net_tx_fault, net_tx_faults, net_tx_fault_desc);

/* Every malformed TX response marks the device broken; nothing leaks. */
static void net_tx_hostile_test(struct kunit *test)
{
	const enum fake_nb_tx_fault *f = test->param_value;
	struct net_fixture *fx = test->priv;

	net_setup(test, net_features, true);
	fx->nb->tx_fault = *f;
	net_send_frame(test, 200, 2);
	KUNIT_EXPECT_TRUE(test, net_wait_broken(fx->nf));
	/* A broken device drops what it is given. */
	net_send_frame(test, 200, 2);
	KUNIT_EXPECT_EQ(test, fx->nb->nr_sent, 1U);
	KUNIT_EXPECT_GE(test, fx->nf->queues[0].tx_stats.errors, 1ULL);
	/* The parked grant and its page go back once netback lets go. */
	if (*f == FAKE_NB_TX_KEEP_MAPPED)
		fake_l0_grant_unmap(fx->fl0, fx->nb->kept_ref, false);
}

/*
 * L0 knows our TX grant references from earlier requests, and may map one
 * the moment it is granted, before its request is sent. If the packet is
 * then dropped (a later slot's grant fails), the mapped page and its
 * reference must stay out of reuse until L0 lets go; the device is done.
 */
static void net_tx_unwind_mapped_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct page *first, *second;
	grant_ref_t ref = 0;
	struct sk_buff *skb;

	net_setup(test, net_features, true);
	/* A frame in two page fragments, one slot each. */
	first = alloc_page(GFP_KERNEL);
	second = alloc_page(GFP_KERNEL);
	skb = alloc_skb(0, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, first);
	KUNIT_ASSERT_NOT_NULL(test, second);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	net_frame(fx, page_address(first), ETH_ZLEN, 13);
	skb_add_rx_frag(skb, 0, first, 0, ETH_ZLEN, PAGE_SIZE);
	skb_add_rx_frag(skb, 1, second, 0, 100, PAGE_SIZE);
	fake_l0_trap_grant(fx->fl0, second, first, &ref);
	net_xmit(test, skb);

	KUNIT_EXPECT_TRUE(test, net_wait_broken(fx->nf));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 1ULL);
	KUNIT_EXPECT_EQ(test, fx->nb->nr_sent, 0U);
	fake_l0_grant_unmap(fx->fl0, ref, false);
	KUNIT_EXPECT_TRUE(test, net_wait_undeferred(fx->fl0));
}

static void net_multiqueue_split_test(struct kunit *test)
{
	static const char *const features[] = {
		"feature-rx-copy=1", "feature-sg=1", "multi-queue-max-queues=4",
		"feature-split-event-channels=1", NULL
	};
	struct net_fixture *fx = test->priv;
	struct sk_buff *skb;
	u8 frame[300];

	/* Our cap, below netback's 4, decides. */
	net_setup_queues(test, features, "3");
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 3U);
	KUNIT_EXPECT_EQ(test, fx->nf->netdev->real_num_tx_queues, 3U);
	KUNIT_EXPECT_FALSE(test, fx->nf->netdev->features & NETIF_F_TSO);
	net_expect_key(test, "multi-queue-num-queues", "3");
	net_expect_key(test, "queue-2/event-channel-rx", "");
	KUNIT_EXPECT_NE(test, fx->nf->queues[0].tx_port, fx->nf->queues[0].rx_port);

	/* RX on the last queue arrives through its own event channel. */
	net_frame(fx, frame, sizeof(frame), 4);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, fx->nf->nr_queues - 1, frame,
					      sizeof(frame), 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb_get_rx_queue(skb), (u16)(fx->nf->nr_queues - 1));
	kfree_skb(skb);
}

/*
 * A TX event whose completion NAPI already took, woken by an RX event, is
 * genuine: its producer moved. Only events that announce nothing count
 * towards throttling the port.
 */
static void net_event_accounting_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct blanket_evtchn_stats stats;
	struct blanket_net_queue *q;
	struct sk_buff *skb;
	unsigned int i;
	u32 answered;
	u8 frame[100];

	net_setup(test, net_split_features, true);
	q = &fx->nf->queues[0];
	KUNIT_ASSERT_NE(test, q->tx_port, q->rx_port);
	fx->nb->tx_quiet = true;
	for (i = 1; i <= 2 * BLANKET_EVTCHN_SPURIOUS_MAX; i++) {
		net_send_frame(test, 200, i);
		KUNIT_ASSERT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, i));
		/*
		 * Its answer is published by now. The stack's own IPv6 chatter
		 * is answered too, at any time: only up to ours counts here.
		 */
		answered = READ_ONCE(q->tx_sring->rsp_prod);
		net_frame(fx, frame, sizeof(frame), i);
		KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, sizeof(frame), 0, NULL), 0);
		skb = net_wait_rx(test);
		KUNIT_ASSERT_NOT_NULL(test, skb);
		kfree_skb(skb);
		/* The TX answer is consumed by now; its event comes late. */
		KUNIT_ASSERT_GE(test, (s32)(READ_ONCE(q->tx_rsp_cons) - answered), 0);
		fake_l0_raise(fx->fl0, q->tx_port);
	}
	blanket_evtchn_get_stats(&fx->fl0->l0.ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.spurious, 0ULL);
	KUNIT_EXPECT_EQ(test, stats.throttled, 0ULL);

	/* Events that announce nothing are spurious, and get throttled. */
	for (i = 0; i < BLANKET_EVTCHN_SPURIOUS_MAX; i++)
		fake_l0_raise(fx->fl0, q->tx_port);
	blanket_evtchn_get_stats(&fx->fl0->l0.ev, &stats);
	KUNIT_EXPECT_EQ(test, stats.spurious, (u64)BLANKET_EVTCHN_SPURIOUS_MAX);
	KUNIT_EXPECT_GT(test, stats.throttled, 0ULL);
}

/* Netback closes and starts over: new rings, traffic again, no leak. */
static void net_reconnect_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 400;
	struct fake_nb_pkt *pkt;
	u64 in_use;
	u8 *frame;

	net_setup(test, net_features, true);
	in_use = fake_l0_grants_in_use(fx->fl0);
	/* A packet in flight when netback goes away. */
	fx->nb->tx_fault = FAKE_NB_TX_SILENT;
	net_send_frame(test, len, 6);
	KUNIT_ASSERT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, 1));

	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	/* Netback is Closed but still online: we ask it to start over. */
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateInitialising), 0);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 0ULL);

	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), in_use);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(fx->nf->netdev));
	frame = net_send_frame(test, len, 6);
	pkt = fake_netback_wait_sent(fx->nb, 2);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
}

/* Netback closes and starts over: the frontend connects anew. */
static void net_restart(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateInitialising), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
}

static const char *const net_mq_features[] = {
	"feature-rx-copy=1", "feature-sg=1", "multi-queue-max-queues=4", NULL
};

/*
 * The parameters written at runtime change nothing in a connection, and
 * take effect at the next one, clamped as at load.
 */
static void net_runtime_params_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct ethtool_channels ch = {};
	struct net_device *dev;

	net_setup_queues(test, net_mq_features, "1");
	dev = fx->nf->netdev;
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 1U);
	KUNIT_EXPECT_TRUE(test, fx->nf->trusted);

	test_param_set(test, "blanket_net", "max_queues", "3");
	test_param_set(test, "blanket_net", "trusted", "0");
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 1U);
	KUNIT_EXPECT_TRUE(test, fx->nf->trusted);

	net_restart(test);
	KUNIT_EXPECT_PTR_EQ(test, fx->nf->netdev, dev);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 3U);
	KUNIT_EXPECT_EQ(test, dev->real_num_tx_queues, 3U);
	KUNIT_EXPECT_EQ(test, dev->real_num_rx_queues, 3U);
	KUNIT_EXPECT_FALSE(test, fx->nf->trusted);
	net_expect_key(test, "multi-queue-num-queues", "3");
	dev->ethtool_ops->get_channels(dev, &ch);
	KUNIT_EXPECT_EQ(test, ch.max_combined, 3U);
	KUNIT_EXPECT_EQ(test, ch.combined_count, 3U);

	/* Past our own cap of 16, netback's 4 is what we get. */
	test_param_set(test, "blanket_net", "max_queues", "100");
	net_restart(test);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 4U);

	/* Back to one: no count is left for netback to find. */
	test_param_set(test, "blanket_net", "max_queues", "1");
	net_restart(test);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 1U);
	net_expect_key(test, "multi-queue-num-queues", NULL);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(dev));
}

static int net_set_trusted_key(struct net_fixture *fx, const char *value)
{
	return fake_xenstored_set(fx->fl0->xsd, FAKE_NB_FRONTEND "/trusted", value);
}

/*
 * The per-device "trusted" key L0 writes in our directory can only lower
 * trust: 0 means untrusted, 1 (or no key) leaves it to the parameter,
 * and anything else is not believed to mean 1.
 */
static void net_trusted_key_test(struct kunit *test)
{
	static const struct {
		const char *key;	/* NULL: no key */
		bool param;
		bool want;
	} cases[] = {
		{ NULL, true, true }, { NULL, false, false },
		{ "1", true, true }, { "1", false, false },
		{ "0", true, false }, { "0", false, false },
		{ "2", true, false }, { "yes", true, false }, { "-1", true, false },
		{ "", true, false }, { "1 ", true, false }, { "0x1", true, false },
		{ "4294967297", true, false },
	};
	struct net_fixture *fx = test->priv;
	struct blanket_device *bdev;
	char *overlong;
	unsigned int i;

	net_setup(test, net_features, false);
	bdev = fx->nf->bdev;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *key = cases[i].key;

		if (key)
			KUNIT_ASSERT_EQ(test, net_set_trusted_key(fx, key), 0);
		else
			fake_xenstored_rm(fx->fl0->xsd, FAKE_NB_FRONTEND "/trusted");
		KUNIT_EXPECT_EQ_MSG(test, blanket_trusted(bdev, cases[i].param),
				    cases[i].want, "case %u, parameter %d", i,
				    cases[i].param);
	}
	overlong = kunit_kzalloc(test, 2000, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, overlong);
	memset(overlong, '1', 1999);
	KUNIT_ASSERT_EQ(test, net_set_trusted_key(fx, overlong), 0);
	KUNIT_EXPECT_FALSE(test, blanket_trusted(bdev, true));

	/* The connection that follows bounces, and works. */
	KUNIT_ASSERT_EQ(test, net_set_trusted_key(fx, "yes"), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_EXPECT_FALSE(test, fx->nf->trusted);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_ASSERT_EQ(test, net_set_trusted_key(fx, "1"), 0);
	net_restart(test);
	KUNIT_EXPECT_TRUE(test, fx->nf->trusted);
	KUNIT_ASSERT_EQ(test, net_set_trusted_key(fx, "0"), 0);
	net_restart(test);
	KUNIT_EXPECT_FALSE(test, fx->nf->trusted);
}

static int net_set_channels(struct net_device *dev, u32 combined, u32 rx)
{
	struct ethtool_channels ch = { .combined_count = combined, .rx_count = rx };
	int err;

	rtnl_lock();
	err = dev->ethtool_ops->set_channels(dev, &ch);
	rtnl_unlock();
	return err;
}

/*
 * ethtool -L: a count within netback's offer and our cap reconnects with
 * that many queues, on the same netdev; anything else is refused and the
 * connection left alone.
 */
static void net_set_channels_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct ethtool_channels ch = {};
	struct net_device *dev;
	struct sk_buff *skb;
	u8 frame[300];

	net_setup_queues(test, net_mq_features, "4");
	dev = fx->nf->netdev;
	dev->ethtool_ops->get_channels(dev, &ch);
	KUNIT_EXPECT_EQ(test, ch.max_combined, 4U);
	KUNIT_EXPECT_EQ(test, ch.combined_count, 4U);

	KUNIT_EXPECT_EQ(test, net_set_channels(dev, 0, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, net_set_channels(dev, 5, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, net_set_channels(dev, 2, 1), -EINVAL);
	flush_work(&fx->nf->reconnect_work);
	fake_xenstored_settle(fx->fl0->xsd);
	net_expect_key(test, "state", "4");
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 4U);

	KUNIT_ASSERT_EQ(test, net_set_channels(dev, 2, 0), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosing), 0);
	net_restart(test);
	KUNIT_EXPECT_PTR_EQ(test, fx->nf->netdev, dev);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 2U);
	KUNIT_EXPECT_EQ(test, dev->real_num_tx_queues, 2U);
	KUNIT_EXPECT_EQ(test, dev->real_num_rx_queues, 2U);
	net_expect_key(test, "multi-queue-num-queues", "2");
	dev->ethtool_ops->get_channels(dev, &ch);
	KUNIT_EXPECT_EQ(test, ch.max_combined, 4U);
	KUNIT_EXPECT_EQ(test, ch.combined_count, 2U);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(dev));
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 0ULL);
	/* Both queues carry traffic. */
	net_frame(fx, frame, sizeof(frame), 9);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 1, frame, sizeof(frame), 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb_get_rx_queue(skb), (u16)1);
	kfree_skb(skb);
	net_send_frame(test, 200, 10);
	KUNIT_EXPECT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, 1));

	/* The count stays asked for across a restart netback makes. */
	net_restart(test);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 2U);

	KUNIT_ASSERT_EQ(test, net_set_channels(dev, 1, 0), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosing), 0);
	net_restart(test);
	KUNIT_EXPECT_EQ(test, fx->nf->nr_queues, 1U);
	KUNIT_EXPECT_EQ(test, dev->real_num_tx_queues, 1U);
	net_expect_key(test, "multi-queue-num-queues", NULL);
}

/*
 * L0's toolstack unplugging the vif writes Closing while netback still
 * maps the rings; netback lets go only once it sees us Closed. The rings
 * must outlive that: freed after netback's Closed, none left behind.
 */
static void net_toolstack_close_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	net_setup(test, net_features, true);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_EXPECT_NOT_NULL(test, fx->nf->queues);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 0ULL);

	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateInitialising), 0);
	KUNIT_EXPECT_NULL(test, fx->nf->queues);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_deferred(fx->fl0), 0ULL);
}

/*
 * Netback's state node goes while we are Connected (L0 restarted its
 * domain, say): we let go of the rings and say Closed, and connect to
 * the netback that comes back, traffic and all.
 */
static void net_backend_state_gone_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 300;
	struct fake_nb_pkt *pkt;
	u8 *frame;

	net_setup(test, net_features, true);
	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_xenstored_rm(fx->fl0->xsd, FAKE_NB_BACKEND "/state"), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_EXPECT_NULL(test, fx->nf->queues);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), 0ULL);

	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(fx->nf->netdev));
	frame = net_send_frame(test, len, 6);
	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
}

/*
 * Netback unbound and bound again: it says InitWait with us Connected and
 * attaches to the rings our keys name. They stay ours (the same queues,
 * the same grants), and traffic goes on both ways.
 */
static void net_rebind_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const unsigned int len = 300;
	struct blanket_net_queue *queues;
	struct fake_nb_pkt *pkt;
	struct sk_buff *skb;
	u64 grants;
	u8 *frame;

	net_setup(test, net_features, true);
	net_send_frame(test, len, 3);
	KUNIT_ASSERT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, 1));
	queues = fx->nf->queues;
	grants = fake_l0_grants_in_use(fx->fl0);

	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateInitWait), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	net_expect_key(test, "state", "4");
	KUNIT_EXPECT_PTR_EQ(test, fx->nf->queues, queues);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	KUNIT_EXPECT_PTR_EQ(test, fx->nf->queues, queues);
	KUNIT_EXPECT_EQ(test, fake_l0_grants_in_use(fx->fl0), grants);

	frame = net_send_frame(test, len, 4);
	pkt = fake_netback_wait_sent(fx->nb, 2);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	/* Small enough to be copied: the whole frame is in the head. */
	net_frame(fx, frame, 200, 5);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, 200, 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	KUNIT_EXPECT_EQ(test, skb->len + ETH_HLEN, 200U);
	NET_EXPECT_MEMEQ(test, skb_mac_header(skb), frame, 200);
	kfree_skb(skb);
}

/*
 * A device its backend broke stays broken for that connection, a rebind
 * included; a backend that starts over (Closed, then InitWait) is read
 * anew: still malformed, the device stays down; sane, it works again.
 */
static void net_broken_restart_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	union xen_netif_rx_sring_entry e = { .rsp = { .id = 77, .status = 60 } };
	/* Small enough to be copied: the whole frame is in the head. */
	const unsigned int len = 200;
	struct fake_nb_pkt *pkt;
	struct sk_buff *skb;
	u8 *frame;

	net_setup(test, net_features, true);
	fake_netback_rx_raw(fx->nb, 0, &e, 1, 0);
	KUNIT_ASSERT_TRUE(test, net_wait_broken(fx->nf));

	fake_netback_disconnect(fx->nb);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->nf->broken));
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));

	fake_netback_disconnect(fx->nb);
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-sg", "yes");
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateInitialising), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateInitWait), 0);
	net_expect_key(test, "state", "1");
	KUNIT_EXPECT_TRUE(test, READ_ONCE(fx->nf->broken));
	KUNIT_EXPECT_NULL(test, fx->nf->queues);

	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-sg", "1");
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
	KUNIT_EXPECT_TRUE(test, netif_carrier_ok(fx->nf->netdev));
	frame = net_send_frame(test, len, 14);
	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, len, 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	NET_EXPECT_MEMEQ(test, skb_mac_header(skb), frame, len);
	kfree_skb(skb);
}

/*
 * Netback asked us to close, and we did: its Connected now, with no
 * InitWait before it, is no connection, and the link stays down.
 */
static void net_connected_after_close_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	net_setup(test, net_features, true);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateClosing), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_wait_frontend(fx->nb, XenbusStateClosed), 0);
	KUNIT_ASSERT_EQ(test, fake_netback_set_state(fx->nb, XenbusStateConnected), 0);
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_EXPECT_TRUE(test, netif_xmit_stopped(netdev_get_tx_queue(fx->nf->netdev, 0)));
}

/*
 * BLANKET_EVTCHN_SPURIOUS_MAX RX events, each moving the producer if
 * @move, find no work: the port is throttled.
 */
static void net_expect_throttled(struct kunit *test, bool move)
{
	struct net_fixture *fx = test->priv;
	struct blanket_evtchn_stats before, after;
	unsigned int i;

	blanket_evtchn_get_stats(&fx->fl0->l0.ev, &before);
	for (i = 0; i < BLANKET_EVTCHN_SPURIOUS_MAX; i++) {
		if (move)
			fake_netback_rx_raw(fx->nb, 0, NULL, 0, i + 1);
		else
			fake_l0_raise(fx->fl0, fx->nf->queues[0].rx_port);
	}
	blanket_evtchn_get_stats(&fx->fl0->l0.ev, &after);
	KUNIT_EXPECT_EQ(test, after.spurious - before.spurious,
			(u64)BLANKET_EVTCHN_SPURIOUS_MAX);
	KUNIT_EXPECT_GT(test, after.throttled, before.throttled);
}

/* Down, a packet waiting: events that announce nothing more are spurious. */
static void net_down_events_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	u8 frame[100];

	net_setup(test, net_split_features, false);
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	net_frame(fx, frame, sizeof(frame), 16);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, sizeof(frame), 0, NULL), 0);
	net_expect_throttled(test, false);
}

/* Broken, the device does no work: L0 moving its producer is no news. */
static void net_broken_events_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	union xen_netif_rx_sring_entry e = { .rsp = { .id = 77, .status = 60 } };

	net_setup(test, net_split_features, true);
	fake_netback_rx_raw(fx->nb, 0, &e, 1, 0);
	KUNIT_ASSERT_TRUE(test, net_wait_broken(fx->nf));
	net_expect_throttled(test, true);
}

/* Jumbo frames need SG: 9000 bytes in three slots, or refused without it. */
static void net_mtu_test(struct kunit *test)
{
	static const char *const no_sg[] = { "feature-rx-copy=1", NULL };
	struct net_fixture *fx = test->priv;
	const unsigned int len = 9000 + ETH_HLEN;
	struct fake_nb_pkt *pkt;
	u8 *frame;
	int err;

	net_setup(test, net_features, true);
	rtnl_lock();
	err = dev_set_mtu(fx->nf->netdev, 9000);
	rtnl_unlock();
	KUNIT_ASSERT_EQ(test, err, 0);
	frame = net_send_frame(test, len, 11);
	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	KUNIT_EXPECT_EQ(test, pkt->len, len);
	KUNIT_EXPECT_GE(test, pkt->slots, 3U);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, len);
	KUNIT_EXPECT_TRUE(test, net_tx_idle(fx->nf));

	/* A second device whose netback takes no SG keeps 1500. */
	dev_remove_pack(&fx->tap);
	fx->tap.func = NULL;
	fake_netback_disconnect(fx->nb);
	fake_l0_stop_enumerating(fx->fl0);
	net_setup(test, no_sg, true);
	rtnl_lock();
	err = dev_set_mtu(fx->nf->netdev, 9000);
	rtnl_unlock();
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_FALSE(test, fx->nf->netdev->features & NETIF_F_SG);
}

/* What ethtool shows: driver, channels, and per-queue counters that move. */
static void net_ethtool_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	const struct ethtool_ops *ops;
	struct ethtool_drvinfo info = {};
	struct ethtool_channels ch = {};
	struct net_device *dev;
	const unsigned int len = 300;
	struct sk_buff *skb;
	u8 *frame, *names;
	u64 *stats;
	int n, i;

	net_setup(test, net_features, true);
	dev = fx->nf->netdev;
	ops = dev->ethtool_ops;
	ops->get_drvinfo(dev, &info);
	KUNIT_EXPECT_STREQ(test, info.driver, "blanket_net");
	KUNIT_EXPECT_STREQ(test, info.bus_info, "vif-0");
	ops->get_channels(dev, &ch);
	KUNIT_EXPECT_EQ(test, ch.combined_count, 1U);
	KUNIT_EXPECT_EQ(test, ch.max_combined, fx->nf->max_queues);

	frame = net_send_frame(test, len, 8);
	KUNIT_ASSERT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, 1));
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, len, 0, NULL), 0);
	skb = net_wait_rx(test);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	kfree_skb(skb);

	n = ops->get_sset_count(dev, ETH_SS_STATS);
	KUNIT_ASSERT_EQ(test, n, 10);
	names = kunit_kzalloc(test, n * ETH_GSTRING_LEN, GFP_KERNEL);
	stats = kunit_kcalloc(test, n, sizeof(*stats), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, names);
	KUNIT_ASSERT_NOT_NULL(test, stats);
	ops->get_strings(dev, ETH_SS_STATS, names);
	ops->get_ethtool_stats(dev, NULL, stats);
	for (i = 0; i < n; i++) {
		const char *name = names + i * ETH_GSTRING_LEN;

		if (!strcmp(name, "q0_tx_packets") || !strcmp(name, "q0_rx_packets"))
			KUNIT_EXPECT_GE_MSG(test, stats[i], 1ULL, "%s", name);
		if (!strcmp(name, "q0_tx_bytes"))
			KUNIT_EXPECT_GE(test, stats[i], (u64)len);
		if (!strcmp(name, "q0_events") || !strcmp(name, "q0_tx_kicks"))
			KUNIT_EXPECT_GE_MSG(test, stats[i], 1ULL, "%s", name);
		if (!strcmp(name, "q0_rx_errors"))
			KUNIT_EXPECT_EQ(test, stats[i], 0ULL);
	}
	KUNIT_EXPECT_STREQ(test, names, "q0_tx_packets");
}

/* What netback offers, read strictly. */
static void net_features_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct blanket_netif_features be;
	struct blanket_device *bdev;

	net_setup(test, net_features, false);
	bdev = fx->nf->bdev;
	KUNIT_ASSERT_EQ(test, blanket_netif_read_features(bdev, &be), 0);
	KUNIT_EXPECT_TRUE(test, be.sg && be.gso_tcpv4 && be.gso_tcpv6 && be.ipv6_csum);
	KUNIT_EXPECT_EQ(test, be.max_queues, 1U);
	KUNIT_EXPECT_EQ(test, blanket_netif_queues(&be, 8), 1U);

	/* Without SG no GSO, whatever netback claims. */
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-sg", "0");
	KUNIT_ASSERT_EQ(test, blanket_netif_read_features(bdev, &be), 0);
	KUNIT_EXPECT_FALSE(test, be.gso_tcpv4 || be.gso_tcpv6);

	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/multi-queue-max-queues", "8");
	KUNIT_ASSERT_EQ(test, blanket_netif_read_features(bdev, &be), 0);
	KUNIT_EXPECT_EQ(test, blanket_netif_queues(&be, 3), 3U);
	KUNIT_EXPECT_EQ(test, blanket_netif_queues(&be, 100), 8U);
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/multi-queue-max-queues", "0");
	KUNIT_EXPECT_EQ(test, blanket_netif_read_features(bdev, &be), -EPROTO);
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/multi-queue-max-queues", "2");

	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-sg", "yes");
	KUNIT_EXPECT_EQ(test, blanket_netif_read_features(bdev, &be), -EPROTO);
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-sg", "1");
	fake_xenstored_rm(fx->fl0->xsd, FAKE_NB_BACKEND "/feature-rx-copy");
	KUNIT_EXPECT_EQ(test, blanket_netif_read_features(bdev, &be), -EOPNOTSUPP);
}

/* A backend-written mac that is no unicast address: no device. */
static void net_bad_mac_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	fx->fl0 = fake_l0_start(test);
	fx->nb = fake_netback_create(test, fx->fl0, net_features);
	fake_xenstored_set(fx->fl0->xsd, FAKE_NB_FRONTEND "/mac", "01:00:5e:00:00:01");
	fake_l0_enumerate(fx->fl0);
	KUNIT_EXPECT_NULL(test, net_find());
}

/* Pure checks of single RX responses. */
static void net_rx_check_test(struct kunit *test)
{
	struct xen_netif_rx_response rsp = { .id = 5, .offset = 100, .status = 3996 };
	const char *why = NULL;

	KUNIT_EXPECT_EQ(test, blanket_netif_rx_check(&rsp, 261, &why), 3996);
	rsp.status = 3997;
	KUNIT_EXPECT_EQ(test, blanket_netif_rx_check(&rsp, 261, &why), -EIO);
	KUNIT_EXPECT_STREQ(test, why, "data outside its page");
	rsp.status = XEN_NETIF_RSP_DROPPED;
	KUNIT_EXPECT_EQ(test, blanket_netif_rx_check(&rsp, 261, &why), -ENODATA);
	rsp.status = 10;
	KUNIT_EXPECT_EQ(test, blanket_netif_rx_check(&rsp, 262, &why), -EIO);
	KUNIT_EXPECT_STREQ(test, why, "response id out of order");
}

/*
 * Byte queue limits start at nothing, and a queue over its limit is
 * kicked at every packet: room for a few, taken up at the completion of
 * one packet sent first.
 */
static void net_tx_room(struct kunit *test)
{
	struct net_fixture *fx = test->priv;

	WRITE_ONCE(netdev_get_tx_queue(fx->nf->netdev, 0)->dql.min_limit, SZ_1M);
	net_send_frame(test, 100, 9);
	KUNIT_ASSERT_NOT_NULL(test, fake_netback_wait_sent(fx->nb, 1));
	KUNIT_ASSERT_TRUE(test, net_tx_idle(fx->nf));
}

/*
 * A batch (xmit_more): netback may take each packet as it comes, and is
 * kicked once, by the last. The queue's lock keeps the stack's own
 * packets out of the batch.
 */
static void net_tx_batch_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct net_device *dev;
	struct netdev_queue *txq;
	struct blanket_net_queue *q;
	struct sk_buff *skb[3];
	u8 *frame[ARRAY_SIZE(skb)];
	bool published = true;
	netdev_tx_t ret = NETDEV_TX_OK;
	u64 kicks, kicks_mid = 0, kicks_end;
	unsigned int i;

	net_setup(test, net_features, true);
	dev = fx->nf->netdev;
	q = &fx->nf->queues[0];
	txq = netdev_get_tx_queue(dev, 0);
	net_tx_room(test);
	for (i = 0; i < ARRAY_SIZE(skb); i++)
		skb[i] = net_frame_skb(test, 300 + i, i, &frame[i]);

	local_bh_disable();
	__netif_tx_lock(txq, smp_processor_id());
	kicks = q->tx_stats.kicks;
	for (i = 0; i < ARRAY_SIZE(skb); i++) {
		ret |= netdev_start_xmit(skb[i], dev, txq, i + 1 < ARRAY_SIZE(skb));
		if (i + 1 < ARRAY_SIZE(skb)) {
			published &= READ_ONCE(q->tx_sring->req_prod) == q->tx_req_prod;
			kicks_mid = q->tx_stats.kicks;
		}
	}
	kicks_end = q->tx_stats.kicks;
	__netif_tx_unlock(txq);
	local_bh_enable();

	KUNIT_EXPECT_EQ(test, ret, NETDEV_TX_OK);
	KUNIT_EXPECT_TRUE(test, published);
	KUNIT_EXPECT_EQ(test, kicks_mid, kicks);
	/* One, or none if netback was still at work when the last came. */
	KUNIT_EXPECT_LE(test, kicks_end - kicks, 1ULL);
	for (i = 0; i < ARRAY_SIZE(skb); i++) {
		struct fake_nb_pkt *pkt = fake_netback_wait_sent(fx->nb, i + 2);

		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_ASSERT_EQ(test, pkt->len, 300 + i);
		NET_EXPECT_MEMEQ(test, pkt->data, frame[i], pkt->len);
	}
}

#define NET_ANSWERS	3

/* The stack answering a frame it took in: NAPI context, inside the poll. */
static int net_answer(struct sk_buff *skb, struct net_device *dev,
		      struct packet_type *pt, struct net_device *orig)
{
	struct net_fixture *fx = container_of(pt, struct net_fixture, answer);
	struct blanket_net_queue *q = &fx->nf->queues[0];
	u64 kicks = READ_ONCE(q->tx_stats.kicks);
	unsigned int i;

	for (i = 0; i < NET_ANSWERS; i++) {
		struct sk_buff *reply = alloc_skb(ETH_ZLEN, GFP_ATOMIC);

		if (!reply)
			break;
		net_frame(fx, skb_put(reply, ETH_ZLEN), ETH_ZLEN, 40 + i);
		if (net_start_xmit(dev, reply) != NETDEV_TX_OK)
			break;
	}
	fx->answer_kicks = READ_ONCE(q->tx_stats.kicks) - kicks;
	WRITE_ONCE(fx->answered, i);
	consume_skb(skb);
	return 0;
}

/*
 * What the stack sends while the poll delivers (ACKs, the data they let
 * out) goes to netback with one kick at the poll's end, not one each.
 */
static void net_tx_answer_test(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct fake_nb_pkt *pkt;
	unsigned int i;
	u8 frame[100];

	net_setup(test, net_features, true);
	net_tx_room(test);
	fx->answer.type = htons(ETH_P_TEST);
	fx->answer.dev = fx->nf->netdev;
	fx->answer.func = net_answer;
	dev_add_pack(&fx->answer);
	net_frame(fx, frame, sizeof(frame), 7);
	KUNIT_ASSERT_EQ(test, fake_netback_rx(fx->nb, 0, frame, sizeof(frame), 0, NULL), 0);
	/* Netback is idle: without the deferral the first answer kicks it. */
	for (i = 0; i < NET_ANSWERS; i++) {
		pkt = fake_netback_wait_sent(fx->nb, i + 2);
		KUNIT_ASSERT_NOT_NULL(test, pkt);
		KUNIT_EXPECT_EQ(test, pkt->data[ETH_HLEN], (u8)(40 + i + ETH_HLEN * 7));
	}
	KUNIT_EXPECT_EQ(test, READ_ONCE(fx->answered), NET_ANSWERS);
	KUNIT_EXPECT_EQ(test, fx->answer_kicks, 0ULL);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(fx->nf->broken));
}

/* TX wants its event once the oldest packet in flight is all answered. */
static void net_tx_event_test(struct kunit *test)
{
	static const u32 ends[] = { U32_MAX - 1, 2, 9 };
	struct blanket_net_queue *q = kunit_kzalloc(test, sizeof(*q), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, q);
	q->tx_rsp_cons = U32_MAX - 4;
	/* Nothing in flight: the next response, whenever one comes. */
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), U32_MAX - 3);
	/* Three packets, their list's indexes wrapping too. */
	q->tx_ends_head = U16_MAX - 1;
	q->tx_ends_tail = q->tx_ends_head;
	for (i = 0; i < ARRAY_SIZE(ends); i++)
		q->tx_ends[q->tx_ends_tail++ & (BLANKET_NET_TX_RING - 1)] = ends[i];
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), U32_MAX - 1);
	/* Part of the oldest answered: still its end. */
	q->tx_rsp_cons = U32_MAX - 2;
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), U32_MAX - 1);
	/* The oldest done: the next one's end, past the wrap at 2^32. */
	q->tx_rsp_cons = U32_MAX - 1;
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), 2U);
	/* Answers out of order took cons past an end: that packet is done. */
	q->tx_rsp_cons = 5;
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), 9U);
	q->tx_rsp_cons = 9;
	KUNIT_EXPECT_EQ(test, blanket_net_tx_event(q), 10U);
	KUNIT_EXPECT_EQ(test, q->tx_ends_head, q->tx_ends_tail);
}

/*
 * Whether our frontend's directory says @state within a few seconds. Not
 * fake_netback_wait_frontend(): while the frontend closes it holds its
 * lock, which the state watch's callback waits for.
 */
static bool net_fe_reaches(struct net_fixture *fx, enum xenbus_state state)
{
	char value[4];

	snprintf(value, sizeof(value), "%d", state);
	return fake_xenstored_reaches(fx->fl0->xsd, FAKE_NB_FRONTEND "/state", value);
}

/* Netback follows our close, then L0 saves the machine. */
static int net_save(struct kunit *test)
{
	struct net_fixture *fx = test->priv;
	struct fake_l0_save s;

	fake_l0_save_start(fx->fl0, &s);
	KUNIT_EXPECT_TRUE(test, net_fe_reaches(fx, XenbusStateClosing));
	KUNIT_EXPECT_EQ(test, fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/state",
						 "5"), 0);
	KUNIT_EXPECT_TRUE(test, net_fe_reaches(fx, XenbusStateClosed));
	fake_netback_disconnect(fx->nb);
	KUNIT_EXPECT_EQ(test, fake_xenstored_set(fx->fl0->xsd, FAKE_NB_BACKEND "/state",
						 "6"), 0);
	return fake_l0_save_wait(&s);
}

/* A restore's toolstack: netback's directory and ours written anew. */
static void net_restore_toolstack(struct fake_l0 *fl0, void *ctx)
{
	KUNIT_EXPECT_EQ(fl0->test, fake_l0_add_device(fl0, "vif", 0, FAKE_NB_BACKEND), 0);
}

/* How L0 saves the machine (net_save_restore()). */
enum net_save {
	NET_RESTORED,		/* asking it, then restoring it */
	NET_CANCELLED,		/* asking it, then cancelling */
	NET_UNASKED,		/* restoring it unasked, netback gone */
};

/*
 * L0 saves the machine, with the link down meanwhile, and restores it, or
 * cancels the save: the interface connects to netback again and carries
 * traffic. Only a restore, which may have moved the machine, tells the
 * network where its addresses are now; nothing of ours closes a port of
 * the new domain's, though the numbers were ours in the old one.
 */
static void net_save_restore(struct kunit *test, enum net_save how)
{
	struct net_fixture *fx = test->priv;
	struct fake_nb_pkt *pkt;
	evtchn_port_t port;
	u8 *frame;

	net_setup(test, net_features, true);
	net_notified_dev = fx->nf->netdev;
	atomic_set(&net_peers_notified, 0);
	KUNIT_ASSERT_EQ(test, register_netdevice_notifier(&net_notify_peers_nb), 0);
	fx->notify_peers_nb = true;
	fx->fl0->save = how == NET_CANCELLED;
	fx->fl0->toolstack = net_restore_toolstack;

	if (how == NET_UNASKED) {
		/* Nothing is written to us, no event comes: we look. */
		fake_netback_disconnect(fx->nb);
		fake_l0_restore(fx->fl0);
		KUNIT_EXPECT_TRUE(test, blanket_restore_pending(fx->nf->bdev));
		flush_delayed_work(&fx->fl0->l0.check_work);
		fake_xenstored_settle(fx->fl0->xsd);
		KUNIT_EXPECT_EQ(test, fx->fl0->reattaches, 1U);
	} else {
		KUNIT_ASSERT_EQ(test, net_save(test), 0);
		KUNIT_EXPECT_EQ(test, fx->fl0->saves, 1U);
	}
	net_expect_key(test, "state", "1");
	KUNIT_EXPECT_FALSE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_ASSERT_EQ(test, fake_netback_connect(fx->nb), 0);
	fake_xenstored_settle(fx->fl0->xsd);
	/* Frames go to the driver directly: only to one that is connected. */
	KUNIT_ASSERT_TRUE(test, netif_carrier_ok(fx->nf->netdev));
	KUNIT_EXPECT_EQ(test, atomic_read(&net_peers_notified), how == NET_CANCELLED ? 0 : 1);
	for (port = 1; how != NET_CANCELLED && port <= FAKE_L0_RESTORE_PORTS; port++)
		KUNIT_EXPECT_TRUE_MSG(test, fake_l0_port_open(fx->fl0, port),
				      "the new domain's port %u closed", port);

	frame = net_send_frame(test, 300, 7);
	pkt = fake_netback_wait_sent(fx->nb, 1);
	KUNIT_ASSERT_NOT_NULL(test, pkt);
	NET_EXPECT_MEMEQ(test, pkt->data, frame, 300);
}

static void net_restore_test(struct kunit *test)
{
	net_save_restore(test, NET_RESTORED);
}

static void net_save_cancelled_test(struct kunit *test)
{
	net_save_restore(test, NET_CANCELLED);
}

/* L0 restores the machine without asking, netback torn down with the old domain. */
static void net_unasked_restore_test(struct kunit *test)
{
	net_save_restore(test, NET_UNASKED);
}

static struct kunit_case blanket_net_cases[] = {
	KUNIT_CASE(net_tx_event_test),
	KUNIT_CASE(net_tx_batch_test),
	KUNIT_CASE(net_tx_answer_test),
	KUNIT_CASE(net_rx_check_test),
	KUNIT_CASE(net_features_test),
	KUNIT_CASE(net_bad_mac_test),
	KUNIT_CASE(net_connect_test),
	KUNIT_CASE(net_tx_linear_test),
	KUNIT_CASE(net_tx_sg_gso_test),
	KUNIT_CASE(net_tx_untrusted_test),
	KUNIT_CASE(net_rx_test),
	KUNIT_CASE(net_rx_gso_test),
	KUNIT_CASE(net_rx_head_test),
	KUNIT_CASE(net_rx_tiny_first_test),
	KUNIT_CASE_PARAM(net_rx_hostile_test, net_rx_fault_gen_params),
	KUNIT_CASE(net_rx_too_many_slots_test),
	KUNIT_CASE_PARAM(net_tx_hostile_test, net_tx_fault_gen_params),
	KUNIT_CASE(net_tx_unwind_mapped_test),
	KUNIT_CASE(net_multiqueue_split_test),
	KUNIT_CASE(net_event_accounting_test),
	KUNIT_CASE(net_down_events_test),
	KUNIT_CASE(net_broken_events_test),
	KUNIT_CASE(net_reconnect_test),
	KUNIT_CASE(net_runtime_params_test),
	KUNIT_CASE(net_trusted_key_test),
	KUNIT_CASE(net_set_channels_test),
	KUNIT_CASE(net_toolstack_close_test),
	KUNIT_CASE(net_backend_state_gone_test),
	KUNIT_CASE(net_rebind_test),
	KUNIT_CASE(net_restore_test),
	KUNIT_CASE(net_unasked_restore_test),
	KUNIT_CASE(net_save_cancelled_test),
	KUNIT_CASE(net_broken_restart_test),
	KUNIT_CASE(net_connected_after_close_test),
	KUNIT_CASE(net_ethtool_test),
	KUNIT_CASE(net_mtu_test),
	{}
};

static struct kunit_suite blanket_net_suite = {
	.name = "blanket_net",
	.init = net_test_init,
	.exit = net_test_exit,
	.test_cases = blanket_net_cases,
};

kunit_test_suite(blanket_net_suite);

BLANKET_IMPORT_TEST_NS();
MODULE_DESCRIPTION("blanket: KUnit suites for blanket_net");
MODULE_LICENSE("GPL");
