/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blanket_xenbus public API: the "blanket" bus on which L0's devices
 * appear, for the drivers that serve them (blanket_net, blanket_blk).
 */
#ifndef _BLANKET_XENBUS_H
#define _BLANKET_XENBUS_H

#include <linux/atomic.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/xenbus.h>
#include <xen/interface/xen.h>

#include <blanket/xenstore.h>

#define BLANKET_DEVTYPE_MAX 32
/* A backend's directory, "/local/domain/<id>/backend/<type>/<dom>/<id>", fits. */
#define BLANKET_OTHEREND_MAX 128
/* How long a closing handshake waits for the backend to follow. */
#define BLANKET_CLOSE_TIMEOUT_MS 5000

/*
 * Handler of an L0 event channel port, called in interrupt context with
 * the port masked. Returns whether the event found work: a port whose
 * events keep finding none is throttled, so that a flood from L0 cannot
 * hold a CPU.
 */
typedef bool (*blanket_evtchn_handler_t)(evtchn_port_t port, void *data);

/* One of our devices in L0's xenstore, e.g. device/vif/0 and its backend. */
struct blanket_device {
	struct device dev;
	struct blanket_xs *xs;	/* the L0 xenstore connection it lives in */
	const char *devtype;	/* "vif", "vbd" */
	const char *nodename;	/* "device/vif/0", relative to our domain */
	/*
	 * The backend's directory. It moves when L0 restores the machine in
	 * another domain; a copy in place, so that a reader meanwhile reads
	 * a string, if not the right one.
	 */
	char otherend[BLANKET_OTHEREND_MAX];
	domid_t otherend_id;	/* the backend's domain in L0 */
	u32 devid;		/* the <id> of device/<type>/<id> */
	struct mutex state_lock;	/* our state's write, and its check */
	enum xenbus_state state;		/* ours, as last written */
	bool replaced;		/* L0 re-created our directory: write no more */
	enum xenbus_state otherend_state;	/* the backend's, as last read */
	wait_queue_head_t state_wq;	/* woken when otherend_state changes */
	struct blanket_xs_watch otherend_watch;
	atomic64_t notifications;	/* event channel sends to the backend */
	atomic64_t grants;		/* grant references held */
	struct dentry *debugfs;
};

struct blanket_device_id {
	char devtype[BLANKET_DEVTYPE_MAX];
};

struct blanket_driver {
	const struct blanket_device_id *ids;	/* ends with an empty devtype */
	int (*probe)(struct blanket_device *bdev,
		     const struct blanket_device_id *id);
	void (*remove)(struct blanket_device *bdev);
	void (*otherend_changed)(struct blanket_device *bdev,
				 enum xenbus_state backend_state);
	/*
	 * L0 is about to save the machine: close the connection as for a
	 * remove, and keep the device and what waits for it. Or (@gone) L0
	 * restored it without asking, and the backend is gone with its ports
	 * and grants: drop the connection without a word to xenstore, which
	 * holds every request meanwhile, and keep what waits. Then @resume:
	 * after a restore (@restored) the device is Initialising before a
	 * new backend, whose directory bdev->otherend names; after a
	 * cancelled save it is Closed before the old one. An @err is a
	 * device that cannot go on: the driver fails it.
	 */
	void (*suspend)(struct blanket_device *bdev, bool gone);
	void (*resume)(struct blanket_device *bdev, bool restored, int err);
	/* blanket_dev_fatal(): the end of its report, and what follows it */
	const char *fatal_effect;
	void (*fatal)(struct blanket_device *bdev);
	struct device_driver driver;
};

static inline struct blanket_device *to_blanket_device(struct device *dev)
{
	return container_of(dev, struct blanket_device, dev);
}

static inline struct blanket_driver *
to_blanket_driver(const struct device_driver *drv)
{
	return container_of(drv, struct blanket_driver, driver);
}

int __blanket_register_driver(struct blanket_driver *drv,
			      struct module *owner, const char *mod_name);
#define blanket_register_driver(drv) \
	__blanket_register_driver(drv, THIS_MODULE, KBUILD_MODNAME)
void blanket_unregister_driver(struct blanket_driver *drv);

/**
 * module_blanket_driver() - a module whose init and exit do no more than
 * register and unregister one blanket driver
 * @__blanket_driver: the module's struct blanket_driver
 */
#define module_blanket_driver(__blanket_driver) \
	module_driver(__blanket_driver, blanket_register_driver, \
		      blanket_unregister_driver)

/*
 * The client API (client.c), documented there: event channels, grants
 * and shared ring pages to the device's backend in L0, the XenbusState
 * handshake, and the report of a device the backend broke.
 */
int blanket_alloc_evtchn(struct blanket_device *bdev, evtchn_port_t *port);
int blanket_bind_evtchn(struct blanket_device *bdev, evtchn_port_t port,
			const char *name, blanket_evtchn_handler_t handler,
			void *data);
void blanket_spread_evtchn(struct blanket_device *bdev, evtchn_port_t port,
			   unsigned int index);
void blanket_free_evtchn(struct blanket_device *bdev, evtchn_port_t port);
bool blanket_restore_pending(struct blanket_device *bdev);
int blanket_notify(struct blanket_device *bdev, evtchn_port_t port);
int blanket_grant_alloc(struct blanket_device *bdev, unsigned int n,
			grant_ref_t *refs);
int blanket_grant_page(struct blanket_device *bdev, grant_ref_t ref,
		       struct page *page, bool readonly);
int blanket_grant_end(struct blanket_device *bdev, grant_ref_t ref);
void blanket_grant_free(struct blanket_device *bdev, grant_ref_t ref);
void blanket_grant_end_free(struct blanket_device *bdev, grant_ref_t ref,
			    struct page *page);

void *blanket_setup_ring(struct blanket_device *bdev, unsigned int order,
			 grant_ref_t *refs);
void blanket_teardown_ring(struct blanket_device *bdev, void *ring,
			   unsigned int order, const grant_ref_t *refs);

int blanket_switch_state(struct blanket_device *bdev, enum xenbus_state state);
int blanket_handshake_reset(struct blanket_device *bdev);
void blanket_close(struct blanket_device *bdev);
int blanket_reopen(struct blanket_device *bdev);

/* A backend's feature flag, read into the bool at @offset of a struct. */
struct blanket_flag {
	const char *node;
	size_t offset;
};

#define BLANKET_FLAG(node, type, member) { node, offsetof(type, member) }

int blanket_read_flags(struct blanket_device *bdev, const struct blanket_flag *flags,
		       unsigned int nr, void *base);
int blanket_write_count(struct blanket_device *bdev, blanket_xbt_t t,
			const char *node, unsigned int val, unsigned int absent);
bool blanket_trusted(struct blanket_device *bdev, bool param);
void blanket_await_otherend(struct blanket_device *bdev, enum xenbus_state state);
int blanket_wait_for_otherend(struct blanket_device *bdev,
			      enum xenbus_state state, unsigned int timeout_ms);
__printf(3, 4)
void blanket_dev_fatal(struct blanket_device *bdev, bool *broken,
		       const char *fmt, ...);

#endif /* _BLANKET_XENBUS_H */
