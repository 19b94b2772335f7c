// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_net: the netif frontend to the outer Xen's (L0) netback.
 *
 * Binds to "vif" devices on the blanket bus and follows the backend's
 * XenbusState: rings and event channels are built when netback waits for
 * us (InitWait), the carrier follows netback's Connected, and a backend
 * that closes or starts over gets everything torn down and built anew.
 */

#include <linux/etherdevice.h>
#include <linux/module.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>

#include "netfront.h"

/*
 * Writable at runtime, as in xen-netfront: each connection reads them once,
 * when netback waits for us, so a change takes effect at the next connect.
 */
static unsigned int max_queues;
module_param(max_queues, uint, 0644);
MODULE_PARM_DESC(max_queues,
		 "Most queue pairs per interface (0: one per online CPU, up to 16), from the next connect");

static bool trusted = true;
module_param(trusted, bool, 0644);
MODULE_PARM_DESC(trusted,
		 "Grant skb pages to L0 in place (0: bounce TX data through zeroed pages, so that L0 sees nothing else), from the next connect");

static unsigned int blanket_net_max_queues(void)
{
	unsigned int n = READ_ONCE(max_queues) ?: num_online_cpus();

	return clamp(n, 1U, BLANKET_NET_MAX_QUEUES);
}

static int blanket_net_write_queue(struct blanket_net *nf, blanket_xbt_t t,
				   unsigned int i)
{
	struct blanket_net_queue *q = &nf->queues[i];
	struct blanket_device *bdev = nf->bdev;
	char *dir;
	int err;

	dir = nf->nr_queues > 1 ?
	      kasprintf(GFP_KERNEL, "%s/queue-%u", bdev->nodename, i) :
	      kstrdup(bdev->nodename, GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	err = blanket_xs_printf(bdev->xs, t, dir, "tx-ring-ref", "%u", q->tx_ring_ref);
	if (!err)
		err = blanket_xs_printf(bdev->xs, t, dir, "rx-ring-ref", "%u",
					q->rx_ring_ref);
	if (!err && q->rx_port == q->tx_port)
		err = blanket_xs_printf(bdev->xs, t, dir, "event-channel", "%u",
					q->tx_port);
	if (!err && q->rx_port != q->tx_port)
		err = blanket_xs_printf(bdev->xs, t, dir, "event-channel-tx", "%u",
					q->tx_port);
	if (!err && q->rx_port != q->tx_port)
		err = blanket_xs_printf(bdev->xs, t, dir, "event-channel-rx", "%u",
					q->rx_port);
	kfree(dir);
	return err;
}

/* What we take on RX: every offload a netback may use. */
static const char *const blanket_net_frontend_features[] = {
	"request-rx-copy", "feature-rx-notify", "feature-sg",
	"feature-gso-tcpv4", "feature-gso-tcpv6", "feature-ipv6-csum-offload",
};

static int blanket_net_write_keys(struct blanket_xs *xs, blanket_xbt_t t,
				  void *ctx)
{
	struct blanket_net *nf = ctx;
	struct blanket_device *bdev = nf->bdev;
	unsigned int i;
	int err = 0;

	for (i = 0; i < nf->nr_queues && !err; i++)
		err = blanket_net_write_queue(nf, t, i);
	if (!err)
		err = blanket_write_count(bdev, t, "multi-queue-num-queues",
					  nf->nr_queues, 1);
	for (i = 0; i < ARRAY_SIZE(blanket_net_frontend_features) && !err; i++)
		err = blanket_xs_write(bdev->xs, t, bdev->nodename,
				       blanket_net_frontend_features[i], "1");
	return err;
}

/*
 * Netback waits for us: build the queues and tell it where they are. A
 * fresh handshake: a device that netback broke before is judged anew, on
 * what netback offers now, and the module parameters are read anew too.
 */
static int blanket_net_connect(struct blanket_net *nf)
{
	struct blanket_device *bdev = nf->bdev;
	unsigned int nr, max;
	int err;

	blanket_net_netdev_disconnect(nf);
	/* The queues that could break it are gone. */
	if (xchg(&nf->broken, false))
		dev_info(&bdev->dev, "%s started over after the error: reading it anew\n",
			 bdev->otherend);
	err = blanket_netif_read_features(bdev, &nf->be);
	if (err == -EPROTO)
		blanket_dev_fatal(nf->bdev, &nf->broken, "malformed backend features");
	if (err)
		return err;
	/* Untouched by TX and RX while there are no queues. */
	nf->trusted = blanket_trusted(bdev, READ_ONCE(trusted));
	max = blanket_netif_queues(&nf->be, blanket_net_max_queues());
	WRITE_ONCE(nf->max_queues, max);
	nr = min(READ_ONCE(nf->channels) ?: max, max);
	err = blanket_net_netdev_connect(nf, nr);
	if (err)
		return err;
	err = blanket_xs_transact(bdev->xs, blanket_net_write_keys, nf);
	if (!err)
		err = blanket_switch_state(bdev, XenbusStateConnected);
	if (err) {
		blanket_net_netdev_disconnect(nf);
		return err;
	}
	dev_info(&bdev->dev, "%s: %u queue(s), %s event channels, sg %d, tso %d/%d%s\n",
		 netdev_name(nf->netdev), nr, nf->be.split_evtchn ? "split" : "shared",
		 nf->be.sg, nf->be.gso_tcpv4, nf->be.gso_tcpv6,
		 nf->trusted ? "" : ", untrusted (TX bounced)");
	return 0;
}

/*
 * ethtool -L asked for another queue count. Netback takes a new one only
 * from a new handshake: we close, and the path that follows a backend's
 * close (Closed, our Initialising, its InitWait) connects with that count.
 */
static void blanket_net_reconnect(struct work_struct *work)
{
	struct blanket_net *nf = container_of(work, struct blanket_net, reconnect_work);

	mutex_lock(&nf->lock);
	if (nf->queues && nf->bdev->state == XenbusStateConnected &&
	    READ_ONCE(nf->channels) != nf->nr_queues)
		blanket_switch_state(nf->bdev, XenbusStateClosing);
	mutex_unlock(&nf->lock);
}

/* Netback is Connected: the link is up, if we are too (not closed since). */
static void blanket_net_carrier_on(struct blanket_net *nf)
{
	rtnl_lock();
	if (nf->queues && nf->bdev->state == XenbusStateConnected &&
	    !READ_ONCE(nf->broken)) {
		netif_carrier_on(nf->netdev);
		if (netif_running(nf->netdev))
			netif_tx_wake_all_queues(nf->netdev);
		/* Gratuitous ARP and ND: switches learn where we are now. */
		if (nf->notify_peers)
			__netdev_notify_peers(nf->netdev);
		nf->notify_peers = false;
	}
	rtnl_unlock();
}

static void blanket_net_otherend_changed(struct blanket_device *bdev,
					 enum xenbus_state state)
{
	struct blanket_net *nf = dev_get_drvdata(&bdev->dev);
	int err;

	mutex_lock(&nf->lock);
	switch (state) {
	case XenbusStateInitWait:
		/*
		 * First contact, or netback starting over after a Closed. Seen
		 * while we are Connected, it is a netback unbound and bound
		 * again: it attaches to the rings our keys name, where it left
		 * them, so they stay.
		 */
		if (bdev->state == XenbusStateInitialising ||
		    bdev->state == XenbusStateClosed) {
			err = blanket_net_connect(nf);
			if (err)
				dev_err(&bdev->dev, "cannot connect to %s: %d\n",
					bdev->otherend, err);
		}
		break;
	case XenbusStateConnected:
		blanket_net_carrier_on(nf);
		break;
	case XenbusStateClosing:
		/*
		 * Netback, or L0's toolstack unplugging the vif, asks us to
		 * close. Netback lets go of the rings only once it sees us
		 * Closed: stop sending, and free them when it is Closed too.
		 */
		if (bdev->state == XenbusStateInitialising)
			break;
		netif_carrier_off(nf->netdev);
		netif_tx_disable(nf->netdev);
		blanket_switch_state(bdev, XenbusStateClosed);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		/*
		 * Before we connect, a closed backend is one that has not yet
		 * seen our Initialising (after a reload, say): nothing to undo.
		 */
		if (bdev->state == XenbusStateInitialising)
			break;
		blanket_net_netdev_disconnect(nf);
		if (state == XenbusStateUnknown ||
		    blanket_switch_state(bdev, XenbusStateClosed))
			break;
		/* Netback let go of the rings: ask it for new ones. */
		if (state == XenbusStateClosed)
			blanket_reopen(bdev);
		break;
	default:
		break;
	}
	mutex_unlock(&nf->lock);
}

/* The mac key L0's toolstack wrote for this vif, checked. */
static int blanket_net_read_mac(struct blanket_device *bdev, u8 *mac)
{
	unsigned int len;
	char *value;
	int err = 0;

	value = blanket_xs_read(bdev->xs, BLANKET_XBT_NIL, bdev->nodename, "mac", &len);
	if (IS_ERR(value))
		return PTR_ERR(value);
	if (len != 3 * ETH_ALEN - 1 || !mac_pton(value, mac) ||
	    !is_valid_ether_addr(mac))
		err = -EINVAL;
	if (err)
		dev_err(&bdev->dev, "%s/mac: not a unicast MAC address\n",
			bdev->nodename);
	kfree(value);
	return err;
}

static int blanket_net_probe(struct blanket_device *bdev,
			     const struct blanket_device_id *id)
{
	struct net_device *dev;
	struct blanket_net *nf;
	u8 mac[ETH_ALEN];
	int err;

	err = blanket_net_read_mac(bdev, mac);
	if (err)
		return err;
	dev = blanket_net_netdev_alloc(bdev);
	if (!dev)
		return -ENOMEM;
	nf = netdev_priv(dev);
	nf->bdev = bdev;
	nf->netdev = dev;
	mutex_init(&nf->lock);
	INIT_WORK(&nf->reconnect_work, blanket_net_reconnect);
	eth_hw_addr_set(dev, mac);
	dev_set_drvdata(&bdev->dev, nf);
	netif_carrier_off(dev);
	err = register_netdev(dev);
	if (err) {
		free_netdev(dev);
		return err;
	}
	/* Netback may still be where an earlier driver left it. */
	err = blanket_handshake_reset(bdev);
	if (err) {
		unregister_netdev(dev);
		free_netdev(dev);
	}
	return err;
}

/*
 * L0 is about to save the machine, or restored it unasked (@gone, netback
 * with it): the link goes down, netback lets go of the rings, and the
 * interface stays, with its addresses and routes.
 */
static void blanket_net_suspend(struct blanket_device *bdev, bool gone)
{
	struct blanket_net *nf = dev_get_drvdata(&bdev->dev);

	mutex_lock(&nf->lock);
	netif_carrier_off(nf->netdev);
	netif_tx_disable(nf->netdev);
	if (!gone) {
		blanket_close(bdev);
		if (!blanket_switch_state(bdev, XenbusStateClosed))
			blanket_await_otherend(bdev, XenbusStateClosed);
	}
	blanket_net_netdev_disconnect(nf);
	mutex_unlock(&nf->lock);
}

/*
 * After a restore a new netback answers our Initialising; after a
 * cancelled save the old one, Closed, is asked to start over.
 */
static void blanket_net_resume(struct blanket_device *bdev, bool restored,
			       int err)
{
	struct blanket_net *nf = dev_get_drvdata(&bdev->dev);

	mutex_lock(&nf->lock);
	if (!err && !restored)
		err = blanket_reopen(bdev);
	if (err)
		blanket_dev_fatal(bdev, &nf->broken, "cannot reconnect after L0's save (%d)",
				  err);
	nf->notify_peers = restored;
	mutex_unlock(&nf->lock);
}

static void blanket_net_remove(struct blanket_device *bdev)
{
	struct blanket_net *nf = dev_get_drvdata(&bdev->dev);

	blanket_close(bdev);
	mutex_lock(&nf->lock);
	blanket_net_netdev_disconnect(nf);
	mutex_unlock(&nf->lock);
	blanket_switch_state(bdev, XenbusStateClosed);
	unregister_netdev(nf->netdev);
	/* ethtool can queue it no more; without queues it does nothing. */
	cancel_work_sync(&nf->reconnect_work);
	free_netdev(nf->netdev);
}

static const struct blanket_device_id blanket_net_ids[] = {
	{ "vif" },
	{ "" }
};

static struct blanket_driver blanket_net_driver = {
	.driver.name = KBUILD_MODNAME,
	.ids = blanket_net_ids,
	.probe = blanket_net_probe,
	.remove = blanket_net_remove,
	.otherend_changed = blanket_net_otherend_changed,
	.suspend = blanket_net_suspend,
	.resume = blanket_net_resume,
	.fatal_effect = "disabled for further use",
	.fatal = blanket_net_netdev_fatal,
};

module_blanket_driver(blanket_net_driver);

MODULE_DESCRIPTION("blanket: netif frontend to the outer Xen's (L0) netback");
MODULE_LICENSE("GPL");
MODULE_VERSION(BLANKET_VERSION);
MODULE_ALIAS("blanket:vif");
