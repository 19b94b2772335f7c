// SPDX-License-Identifier: GPL-2.0
/*
 * The net_device face of an L0 vif: open and stop, offloads within what
 * netback offers, statistics, and the ethtool view of the queues.
 */

#include <linux/etherdevice.h>
#include <linux/ethtool.h>
#include <linux/rtnetlink.h>
#include <net/tcp.h>

#include "netfront.h"

static void blanket_net_stats_read(struct blanket_net_stats *s,
				   struct blanket_net_stats *out)
{
	unsigned int start;

	do {
		start = u64_stats_fetch_begin(&s->syncp);
		out->packets = s->packets;
		out->bytes = s->bytes;
		out->kicks = s->kicks;
		out->errors = s->errors;
		out->ring_full = s->ring_full;
	} while (u64_stats_fetch_retry(&s->syncp, start));
}

static int blanket_net_open(struct net_device *dev)
{
	struct blanket_net *nf = netdev_priv(dev);
	unsigned int i;

	for (i = 0; i < nf->nr_queues; i++)
		blanket_net_queue_start(&nf->queues[i]);
	if (netif_carrier_ok(dev))
		netif_tx_start_all_queues(dev);
	return 0;
}

static int blanket_net_stop(struct net_device *dev)
{
	struct blanket_net *nf = netdev_priv(dev);
	unsigned int i;

	netif_tx_disable(dev);
	for (i = 0; i < nf->nr_queues; i++)
		blanket_net_queue_stop(&nf->queues[i]);
	return 0;
}

static void blanket_net_get_stats64(struct net_device *dev,
				    struct rtnl_link_stats64 *tot)
{
	struct blanket_net *nf = netdev_priv(dev);
	struct blanket_net_queue *queues;
	struct blanket_net_stats tx, rx;
	unsigned int i, nr;

	/* Not under rtnl: RCU keeps the queues we see from being freed. */
	rcu_read_lock();
	/* Pairs with the release in connect: a count comes with its queues. */
	nr = smp_load_acquire(&nf->nr_queues);
	queues = READ_ONCE(nf->queues);
	for (i = 0; i < nr && queues; i++) {
		blanket_net_stats_read(&queues[i].tx_stats, &tx);
		blanket_net_stats_read(&queues[i].rx_stats, &rx);
		tot->tx_packets += tx.packets;
		tot->tx_bytes += tx.bytes;
		tot->tx_errors += tx.errors;
		tot->rx_packets += rx.packets;
		tot->rx_bytes += rx.bytes;
		tot->rx_errors += rx.errors;
	}
	rcu_read_unlock();
}

static netdev_features_t blanket_net_fix_features(struct net_device *dev,
						  netdev_features_t features)
{
	struct blanket_net *nf = netdev_priv(dev);

	features &= blanket_netif_tx_features(&nf->be) | ~dev->hw_features;
	if (dev->mtu > ETH_DATA_LEN && !(features & NETIF_F_SG))
		features |= dev->features & NETIF_F_SG;
	return features;
}

static int blanket_net_change_mtu(struct net_device *dev, int mtu)
{
	if (mtu > ETH_DATA_LEN && !(dev->features & NETIF_F_SG))
		return -EINVAL;
	dev->mtu = mtu;
	return 0;
}

/* "vif<id>": which of L0's vifs this is, for udev and for people. */
static int blanket_net_get_phys_port_name(struct net_device *dev, char *name,
					  size_t len)
{
	struct blanket_net *nf = netdev_priv(dev);

	if (snprintf(name, len, "vif%u", nf->bdev->devid) >= len)
		return -EINVAL;
	return 0;
}

static const struct net_device_ops blanket_net_ops = {
	.ndo_open = blanket_net_open,
	.ndo_stop = blanket_net_stop,
	.ndo_start_xmit = blanket_net_start_xmit,
	.ndo_get_stats64 = blanket_net_get_stats64,
	.ndo_fix_features = blanket_net_fix_features,
	.ndo_change_mtu = blanket_net_change_mtu,
	.ndo_get_phys_port_name = blanket_net_get_phys_port_name,
	.ndo_set_mac_address = eth_mac_addr,
	.ndo_validate_addr = eth_validate_addr,
};

static void blanket_net_get_drvinfo(struct net_device *dev,
				    struct ethtool_drvinfo *info)
{
	struct blanket_net *nf = netdev_priv(dev);

	strscpy(info->driver, KBUILD_MODNAME, sizeof(info->driver));
	strscpy(info->bus_info, dev_name(&nf->bdev->dev), sizeof(info->bus_info));
}

static const char *const blanket_net_stat_names[] = {
	"tx_packets", "tx_bytes", "tx_kicks", "tx_errors", "tx_ring_full",
	"rx_packets", "rx_bytes", "rx_kicks", "rx_errors", "events",
};

static int blanket_net_get_sset_count(struct net_device *dev, int sset)
{
	struct blanket_net *nf = netdev_priv(dev);

	if (sset != ETH_SS_STATS)
		return -EOPNOTSUPP;
	return nf->nr_queues * ARRAY_SIZE(blanket_net_stat_names);
}

static void blanket_net_get_strings(struct net_device *dev, u32 sset, u8 *data)
{
	struct blanket_net *nf = netdev_priv(dev);
	unsigned int q, i;

	if (sset != ETH_SS_STATS)
		return;
	for (q = 0; q < nf->nr_queues; q++)
		for (i = 0; i < ARRAY_SIZE(blanket_net_stat_names); i++)
			ethtool_sprintf(&data, "q%u_%s", q, blanket_net_stat_names[i]);
}

static void blanket_net_get_ethtool_stats(struct net_device *dev,
					  struct ethtool_stats *stats, u64 *data)
{
	struct blanket_net *nf = netdev_priv(dev);
	struct blanket_net_stats tx, rx;
	unsigned int i;

	for (i = 0; i < nf->nr_queues; i++) {
		struct blanket_net_queue *q = &nf->queues[i];

		blanket_net_stats_read(&q->tx_stats, &tx);
		blanket_net_stats_read(&q->rx_stats, &rx);
		*data++ = tx.packets;
		*data++ = tx.bytes;
		*data++ = tx.kicks;
		*data++ = tx.errors;
		*data++ = tx.ring_full;
		*data++ = rx.packets;
		*data++ = rx.bytes;
		*data++ = rx.kicks;
		*data++ = rx.errors;
		*data++ = atomic64_read(&q->events);
	}
}

static void blanket_net_get_channels(struct net_device *dev,
				     struct ethtool_channels *ch)
{
	struct blanket_net *nf = netdev_priv(dev);

	ch->max_combined = READ_ONCE(nf->max_queues);
	ch->combined_count = nf->nr_queues;
}

/*
 * A new queue count, within what this connection could have. Netback
 * takes it only from a new handshake, which cannot start here, under
 * rtnl: connect takes rtnl inside the device's lock. A work item starts
 * it, and the count shows in get_channels once netback is back.
 */
static int blanket_net_set_channels(struct net_device *dev,
				    struct ethtool_channels *ch)
{
	struct blanket_net *nf = netdev_priv(dev);

	if (ch->rx_count || ch->tx_count || ch->other_count ||
	    !ch->combined_count || ch->combined_count > READ_ONCE(nf->max_queues))
		return -EINVAL;
	WRITE_ONCE(nf->channels, ch->combined_count);
	if (ch->combined_count != nf->nr_queues)
		schedule_work(&nf->reconnect_work);
	return 0;
}

static const struct ethtool_ops blanket_net_ethtool_ops = {
	.get_drvinfo = blanket_net_get_drvinfo,
	.get_link = ethtool_op_get_link,
	.get_sset_count = blanket_net_get_sset_count,
	.get_strings = blanket_net_get_strings,
	.get_ethtool_stats = blanket_net_get_ethtool_stats,
	.get_channels = blanket_net_get_channels,
	.set_channels = blanket_net_set_channels,
};

/* The netdev, named after L0's vif id so that the name is predictable. */
struct net_device *blanket_net_netdev_alloc(struct blanket_device *bdev)
{
	struct net_device *dev;
	char name[IFNAMSIZ];

	snprintf(name, sizeof(name), "blnet%u", bdev->devid);
	dev = alloc_netdev_mqs(sizeof(struct blanket_net), name,
			       NET_NAME_PREDICTABLE, ether_setup,
			       BLANKET_NET_MAX_QUEUES, BLANKET_NET_MAX_QUEUES);
	if (!dev)
		return NULL;
	dev->netdev_ops = &blanket_net_ops;
	dev->ethtool_ops = &blanket_net_ethtool_ops;
	dev->hw_features = NETIF_F_IP_CSUM | NETIF_F_IPV6_CSUM | NETIF_F_SG |
			   NETIF_F_TSO | NETIF_F_TSO6 | NETIF_F_RXCSUM;
	/* Until netback says what it takes, offer only what every one does. */
	dev->features = NETIF_F_IP_CSUM | NETIF_F_RXCSUM;
	dev->min_mtu = ETH_MIN_MTU;
	dev->max_mtu = XEN_NETIF_MAX_TX_SIZE - ETH_HLEN;
	netif_set_tso_max_size(dev, XEN_NETIF_MAX_TX_SIZE - MAX_TCP_HEADER);
	SET_NETDEV_DEV(dev, &bdev->dev);
	return dev;
}

/* Build @nr queues and make them the netdev's; on failure there are none. */
int blanket_net_netdev_connect(struct blanket_net *nf, unsigned int nr)
{
	struct net_device *dev = nf->netdev;
	struct blanket_net_queue *queues;
	unsigned int i;

	queues = blanket_net_queues_create(nf, nr);
	if (IS_ERR(queues))
		return PTR_ERR(queues);
	rtnl_lock();
	WRITE_ONCE(nf->queues, queues);
	/* A reader that sees the count sees the queues. */
	smp_store_release(&nf->nr_queues, nr);
	netif_set_real_num_tx_queues(dev, nr);
	netif_set_real_num_rx_queues(dev, nr);
	/* Offer what netback takes; fix_features trims what it does not. */
	dev->wanted_features |= blanket_netif_tx_features(&nf->be);
	netdev_update_features(dev);
	if (dev->mtu > ETH_DATA_LEN && !(dev->features & NETIF_F_SG))
		dev_set_mtu(dev, ETH_DATA_LEN);
	if (netif_running(dev))
		for (i = 0; i < nr; i++)
			blanket_net_queue_start(&queues[i]);
	rtnl_unlock();
	return 0;
}

/* Stop and unpublish the queues, then free them. */
void blanket_net_netdev_disconnect(struct blanket_net *nf)
{
	struct net_device *dev = nf->netdev;
	struct blanket_net_queue *queues = nf->queues;
	unsigned int i, nr = nf->nr_queues;

	if (!queues)
		return;
	rtnl_lock();
	netif_carrier_off(dev);
	netif_tx_disable(dev);
	if (netif_running(dev))
		for (i = 0; i < nr; i++)
			blanket_net_queue_stop(&queues[i]);
	WRITE_ONCE(nf->nr_queues, 0);
	WRITE_ONCE(nf->queues, NULL);
	rtnl_unlock();
	synchronize_net();
	blanket_net_queues_destroy(queues, nr);
}

/* blanket_dev_fatal(): a device its backend broke carries no traffic. */
void blanket_net_netdev_fatal(struct blanket_device *bdev)
{
	struct blanket_net *nf = dev_get_drvdata(&bdev->dev);

	netif_carrier_off(nf->netdev);
	netif_tx_stop_all_queues(nf->netdev);
}
