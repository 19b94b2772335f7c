/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fake L0 netback on the fake L0: it offers features in xenstore, maps
 * the rings the frontend publishes, consumes TX requests into packets it
 * keeps for the test, fills RX requests with packets the test injects,
 * and can answer in the ways a hostile backend might.
 */
#ifndef _BLANKET_FAKE_NETBACK_H
#define _BLANKET_FAKE_NETBACK_H

#include <linux/skbuff.h>
#include <xen/interface/io/netif.h>

#include "blanket_net/netfront.h"
#include "fake_l0.h"

#define FAKE_NB_MAX_QUEUES	4
#define FAKE_NB_BACKEND		"/local/domain/0/backend/vif/5/0"
#define FAKE_NB_FRONTEND	"device/vif/0"

/* How the next TX response goes wrong. */
enum fake_nb_tx_fault {
	FAKE_NB_TX_OK,
	FAKE_NB_TX_BAD_ID,		/* an id that is not in flight */
	FAKE_NB_TX_BAD_STATUS,		/* a status netif does not define */
	FAKE_NB_TX_EXTRA_NULL,		/* NULL where a data slot's answer goes */
	FAKE_NB_TX_BAD_PROD,		/* rsp_prod past every request */
	FAKE_NB_TX_KEEP_MAPPED,		/* answer while still mapping the page */
	FAKE_NB_TX_SILENT,		/* consume, never answer */
};

/* One packet the frontend sent, as netback saw it. */
struct fake_nb_pkt {
	struct list_head list;
	unsigned int queue;
	unsigned int len;
	unsigned int slots;		/* data slots */
	u16 flags;			/* of the first request */
	struct xen_netif_extra_info gso;	/* type 0 if none */
	grant_ref_t first_ref;
	u8 data[];
};

struct fake_nb_queue {
	struct fake_netback *nb;
	unsigned int index;
	struct xen_netif_tx_sring *tx;
	struct xen_netif_rx_sring *rx;
	grant_ref_t tx_ref, rx_ref;
	evtchn_port_t tx_port, rx_port;
	u32 tx_req_cons, tx_rsp_prod;
	u32 rx_req_cons, rx_rsp_prod;
	struct work_struct tx_work;
};

struct fake_netback {
	struct kunit *test;
	struct fake_l0 *fl0;
	unsigned int nr_queues;
	bool split;
	struct fake_nb_queue q[FAKE_NB_MAX_QUEUES];
	struct mutex lock;		/* rings and the lists below */
	struct list_head sent;
	unsigned int nr_sent;
	wait_queue_head_t wq;
	enum fake_nb_tx_fault tx_fault;
	grant_ref_t kept_ref;		/* mapped by FAKE_NB_TX_KEEP_MAPPED */
	bool tx_quiet;			/* answer TX without an event */
	bool connected;
};

struct fake_netback *fake_netback_create(struct kunit *test, struct fake_l0 *fl0,
					 const char *const *features);
int fake_netback_set_state(struct fake_netback *nb, enum xenbus_state state);
int fake_netback_wait_frontend(struct fake_netback *nb, enum xenbus_state state);
int fake_netback_connect(struct fake_netback *nb);
void fake_netback_disconnect(struct fake_netback *nb);
struct fake_nb_pkt *fake_netback_wait_sent(struct fake_netback *nb,
					   unsigned int n);
int fake_netback_rx_slots(struct fake_netback *nb, unsigned int queue,
			  const void *data, const unsigned int *sizes,
			  unsigned int n, u16 flags,
			  const struct xen_netif_extra_info *gso);
int fake_netback_rx(struct fake_netback *nb, unsigned int queue,
		    const void *data, unsigned int len, u16 flags,
		    const struct xen_netif_extra_info *gso);
int fake_netback_rx_raw(struct fake_netback *nb, unsigned int queue,
			const union xen_netif_rx_sring_entry *rsps,
			unsigned int n, u32 prod_bump);

#endif /* _BLANKET_FAKE_NETBACK_H */
