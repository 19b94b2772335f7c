// SPDX-License-Identifier: GPL-2.0
/*
 * The netif protocol on its own: what netback offers, how an skb maps to
 * TX slots and flags, and what makes an RX response valid. No ring state
 * and no hypercall, so that every rule here is tested in isolation.
 */

#include <linux/skbuff.h>
#include <net/ip6_checksum.h>

#include <blanket/test_export.h>

#include "netfront.h"

/*
 * Netback's offer. A key that is absent means "no"; one that is present
 * but malformed means L0 is not to be trusted with this device.
 */
int blanket_netif_read_features(struct blanket_device *bdev,
				struct blanket_netif_features *be)
{
#define FLAG(node, member) BLANKET_FLAG(node, struct blanket_netif_features, member)
	static const struct blanket_flag flags[] = {
		FLAG("feature-rx-copy", rx_copy),
		FLAG("feature-rx-notify", rx_notify),
		FLAG("feature-sg", sg),
		FLAG("feature-gso-tcpv4", gso_tcpv4),
		FLAG("feature-gso-tcpv6", gso_tcpv6),
		FLAG("feature-ipv6-csum-offload", ipv6_csum),
		FLAG("feature-split-event-channels", split_evtchn),
	};
#undef FLAG
	int err;

	memset(be, 0, sizeof(*be));
	err = blanket_read_flags(bdev, flags, ARRAY_SIZE(flags), be);
	if (err)
		return err;
	err = blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				  "multi-queue-max-queues", &be->max_queues);
	if (err == -ENOENT) {
		be->max_queues = 1;
	} else if (err || !be->max_queues) {
		dev_err(&bdev->dev, "backend's multi-queue-max-queues is malformed\n");
		return -EPROTO;
	}
	if (!be->rx_copy) {
		dev_err(&bdev->dev, "backend lacks feature-rx-copy\n");
		return -EOPNOTSUPP;
	}
	/* Without SG a backend cannot take the slots of a GSO packet. */
	if (!be->sg) {
		be->gso_tcpv4 = false;
		be->gso_tcpv6 = false;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_read_features);

/* Queues to ask for: what netback offers, within our cap. */
unsigned int blanket_netif_queues(const struct blanket_netif_features *be,
				  unsigned int cap)
{
	return clamp(be->max_queues, 1U, clamp(cap, 1U, BLANKET_NET_MAX_QUEUES));
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_queues);

/* Offloads we may use on TX given netback's offer. */
netdev_features_t blanket_netif_tx_features(const struct blanket_netif_features *be)
{
	netdev_features_t f = NETIF_F_IP_CSUM | NETIF_F_RXCSUM;

	if (be->ipv6_csum)
		f |= NETIF_F_IPV6_CSUM;
	if (be->sg)
		f |= NETIF_F_SG;
	if (be->gso_tcpv4)
		f |= NETIF_F_TSO;
	if (be->gso_tcpv6)
		f |= NETIF_F_TSO6;
	return f;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_tx_features);

/* The checksum flags of a packet's first TX slot. */
u16 blanket_netif_tx_csum_flags(const struct sk_buff *skb)
{
	if (skb->ip_summed == CHECKSUM_PARTIAL)
		return XEN_NETTXF_csum_blank | XEN_NETTXF_data_validated;
	if (skb->ip_summed == CHECKSUM_UNNECESSARY)
		return XEN_NETTXF_data_validated;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_tx_csum_flags);

/* Fill @extra for a GSO packet; false if the packet is not one. */
bool blanket_netif_tx_gso(const struct sk_buff *skb,
			  struct xen_netif_extra_info *extra)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);

	if (!skb_is_gso(skb))
		return false;
	memset(extra, 0, sizeof(*extra));
	extra->type = XEN_NETIF_EXTRA_TYPE_GSO;
	extra->u.gso.size = sh->gso_size;
	extra->u.gso.type = sh->gso_type & SKB_GSO_TCPV6 ?
			    XEN_NETIF_GSO_TYPE_TCPV6 : XEN_NETIF_GSO_TYPE_TCPV4;
	return true;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_tx_gso);

/* Slots for @len bytes at @offset into a page: one per page touched. */
static unsigned int blanket_netif_span(unsigned long offset, unsigned int len)
{
	return len ? DIV_ROUND_UP(offset_in_page(offset) + len, PAGE_SIZE) : 0;
}

/* Data slots @skb takes when each slot maps one page of it. */
unsigned int blanket_netif_tx_slots(const struct sk_buff *skb)
{
	const struct skb_shared_info *sh = skb_shinfo(skb);
	unsigned int i, n;

	n = blanket_netif_span((unsigned long)skb->data, skb_headlen(skb));
	for (i = 0; i < sh->nr_frags; i++)
		n += blanket_netif_span(skb_frag_off(&sh->frags[i]),
					skb_frag_size(&sh->frags[i]));
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_tx_slots);

/*
 * How an RX packet of @len bytes in @slots data slots, the first of @first
 * bytes, becomes an skb: returns the linear head to allocate, and in
 * @copy_first whether the first slot is copied into it rather than taken
 * as a page (small packets, and beyond MAX_SKB_FRAGS slots). The head has
 * room for the copybreak pull too, however short the first slot: that pull
 * then never allocates, and so cannot fail.
 */
unsigned int blanket_netif_rx_head(unsigned int slots, unsigned int len,
				   unsigned int first, bool *copy_first)
{
	*copy_first = slots > MAX_SKB_FRAGS ||
		      (slots == 1 && len <= BLANKET_NET_RX_COPYBREAK);
	return max(*copy_first ? first : 0, BLANKET_NET_RX_COPYBREAK);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_rx_head);

/*
 * An RX response taken from ring index @cons. Returns the byte count (0
 * and up), -EIO for a response no netback could send (the device must not
 * be used further; @why says how), or -ENODATA for an error status that
 * costs only the packet.
 */
int blanket_netif_rx_check(const struct xen_netif_rx_response *rsp, u32 cons,
			   const char **why)
{
	/* Netback answers requests in order; our id is the ring index. */
	if (rsp->id != (cons & (BLANKET_NET_RX_RING - 1))) {
		*why = "response id out of order";
		return -EIO;
	}
	if (rsp->status < 0) {
		if (rsp->status != XEN_NETIF_RSP_ERROR &&
		    rsp->status != XEN_NETIF_RSP_DROPPED) {
			*why = "unknown response status";
			return -EIO;
		}
		return -ENODATA;
	}
	if (rsp->offset >= XEN_PAGE_SIZE ||
	    rsp->status > XEN_PAGE_SIZE - rsp->offset) {
		*why = "data outside its page";
		return -EIO;
	}
	if (rsp->flags & XEN_NETRXF_gso_prefix) {
		*why = "GSO prefix, which we never asked for";
		return -EIO;
	}
	return rsp->status;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_rx_check);

/* Apply one RX extra info slot to @skb; -EIO (with @why) if invalid. */
int blanket_netif_rx_extra(struct sk_buff *skb,
			   const struct xen_netif_extra_info *extra,
			   const char **why)
{
	struct skb_shared_info *sh = skb_shinfo(skb);

	if (extra->type == XEN_NETIF_EXTRA_TYPE_NONE ||
	    extra->type >= XEN_NETIF_EXTRA_TYPE_MAX) {
		*why = "unknown extra info type";
		return -EIO;
	}
	if (extra->type != XEN_NETIF_EXTRA_TYPE_GSO)
		return 0;	/* hash and XDP: nothing we asked for or use */
	if (!extra->u.gso.size || extra->u.gso.size > XEN_NETIF_MAX_TX_SIZE) {
		*why = "GSO size out of range";
		return -EIO;
	}
	switch (extra->u.gso.type) {
	case XEN_NETIF_GSO_TYPE_TCPV4:
		sh->gso_type = SKB_GSO_TCPV4;
		break;
	case XEN_NETIF_GSO_TYPE_TCPV6:
		sh->gso_type = SKB_GSO_TCPV6;
		break;
	default:
		*why = "unknown GSO type";
		return -EIO;
	}
	sh->gso_size = extra->u.gso.size;
	/* The stack recounts segments and rechecks headers of DODGY packets. */
	sh->gso_type |= SKB_GSO_DODGY;
	sh->gso_segs = 0;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_rx_extra);

/*
 * Checksum state of a received packet. csum_blank means the checksum is
 * still to be filled in: the packet leaves us CHECKSUM_PARTIAL, with its
 * start and offset found from its headers (which may fail: drop it).
 */
int blanket_netif_rx_csum(struct sk_buff *skb, u16 flags)
{
	if (flags & XEN_NETRXF_csum_blank) {
		skb->ip_summed = CHECKSUM_PARTIAL;
		return skb_checksum_setup(skb, true);
	}
	if (skb_is_gso(skb))
		return -EINVAL;	/* segments would carry a bad checksum */
	skb->ip_summed = flags & XEN_NETRXF_data_validated ?
			 CHECKSUM_UNNECESSARY : CHECKSUM_NONE;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_netif_rx_csum);
