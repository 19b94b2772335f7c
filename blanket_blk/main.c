// SPDX-License-Identifier: GPL-2.0
/*
 * blanket_blk: the blkif frontend to the outer Xen's (L0) blkback.
 *
 * Binds to "vbd" devices on the blanket bus and follows the backend's
 * XenbusState: rings are built when blkback waits for us (InitWait), the
 * disk appears (or resumes) when it is Connected, and a backend that
 * closes or starts over has its requests in flight taken back and sent
 * again to the next one.
 */

#include <linux/module.h>
#include <linux/slab.h>
#include <xen/interface/io/protocols.h>

#include "blkfront.h"

/*
 * Read when a disk is probed and kept for its life, read-only as in
 * xen-blkfront: its hardware queues, queue depth (the first ring's size)
 * and request timeout are set when the disk is made. The segments of a
 * request are kept alike.
 */
static unsigned int max_queues = 4;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Most hardware queues (rings) per disk, 1 to 16");

static unsigned int max_indirect_segments = 32;
module_param(max_indirect_segments, uint, 0444);
MODULE_PARM_DESC(max_indirect_segments,
		 "Most segments of an indirect request (up to 256; 0: no indirect descriptors)");

static unsigned int max_ring_page_order;
module_param(max_ring_page_order, uint, 0444);
MODULE_PARM_DESC(max_ring_page_order, "Most pages of a ring, as a power of two (up to 4)");

static unsigned int request_timeout = 30;
module_param(request_timeout, uint, 0444);
MODULE_PARM_DESC(request_timeout,
		 "Seconds a request may go unanswered before the disk fails its I/O with EIO (at least 1)");

/*
 * Writable at runtime, as in xen-blkfront: each connection reads them
 * once, when it builds its rings, so a change takes effect at the next
 * connect.
 */
static bool feature_persistent = true;
module_param(feature_persistent, bool, 0644);
MODULE_PARM_DESC(feature_persistent,
		 "Use persistent grants when blkback offers them, from the next connect");

static bool trusted = true;
module_param(trusted, bool, 0644);
MODULE_PARM_DESC(trusted,
		 "Grant request pages to L0 in place (0: bounce data through pages of our own, so that L0 sees nothing else), from the next connect");

/* The read-only parameters as they are when a device is probed. */
static void blanket_blk_params(struct blanket_blk_params *p)
{
	p->max_queues = min_t(unsigned int, max_queues ?: 1, num_online_cpus());
	p->max_indirect_segs = max_indirect_segments;
	p->max_ring_order = max_ring_page_order;
	p->timeout = clamp(request_timeout, 1U, UINT_MAX / HZ);
}

/* An optional number: @dflt when absent, an error when malformed. */
static int blanket_blk_read_opt(struct blanket_device *bdev, const char *node,
				u32 dflt, u32 *val)
{
	int err = blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				      node, val);

	if (err == -ENOENT) {
		*val = dflt;
		err = 0;
	}
	if (err)
		dev_err(&bdev->dev, "backend's %s is malformed\n", node);
	return err;
}

static int blanket_blk_read_sectors(struct blanket_device *bdev, u64 *sectors)
{
	char *value;
	int err;

	value = blanket_xs_read(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				"sectors", NULL);
	if (IS_ERR(value))
		return PTR_ERR(value);
	err = kstrtou64(value, 10, sectors);
	kfree(value);
	return err;
}

/* What blkback offers once Connected: the disk and its features, in @be. */
static int blanket_blk_read_backend(struct blanket_blk *info,
				    struct blanket_blkif_backend *be)
{
#define FLAG(node, member) BLANKET_FLAG(node, struct blanket_blkif_backend, member)
	static const struct blanket_flag flags[] = {
		FLAG("feature-flush-cache", flush),
		FLAG("feature-barrier", barrier),
		FLAG("feature-discard", discard),
		FLAG("discard-secure", discard_secure),
		FLAG("feature-persistent", persistent),
	};
#undef FLAG
	struct blanket_device *bdev = info->bdev;
	const char *why = "a key is malformed";
	char *mode;
	int err;

	err = blanket_blk_read_sectors(bdev, &be->sectors) ?:
	      blanket_blk_read_opt(bdev, "info", 0, &be->info) ?:
	      blanket_blk_read_opt(bdev, "sector-size", SECTOR_SIZE, &be->sector_size) ?:
	      blanket_blk_read_opt(bdev, "physical-sector-size", 0,
				   &be->physical_sector_size) ?:
	      blanket_blk_read_opt(bdev, "discard-granularity", 0,
				   &be->discard_granularity) ?:
	      blanket_blk_read_opt(bdev, "discard-alignment", 0,
				   &be->discard_alignment) ?:
	      blanket_blk_read_opt(bdev, "feature-max-indirect-segments", 0,
				   &be->max_indirect_segs);
	if (!err)
		err = blanket_read_flags(bdev, flags, ARRAY_SIZE(flags), be);
	be->readonly = false;
	mode = blanket_xs_read(bdev->xs, BLANKET_XBT_NIL, bdev->otherend, "mode", NULL);
	if (!err && !IS_ERR(mode))
		err = blanket_blkif_parse_mode(mode, &be->readonly);
	else if (!err && PTR_ERR(mode) != -ENOENT)
		err = PTR_ERR(mode);
	if (!IS_ERR(mode))
		kfree(mode);
	if (!err)
		err = blanket_blkif_check_backend(be, &why);
	if (err)
		dev_err(&bdev->dev, "%s: %s (%d)\n", bdev->otherend, why, err);
	return err ? -EPROTO : 0;
}

static int blanket_blk_write_queue(struct blanket_blk *info, blanket_xbt_t t,
				   const char *dir, struct blanket_blk_queue *q)
{
	struct blanket_xs *xs = info->bdev->xs;
	unsigned int i;
	char node[sizeof("ring-ref") + 10];	/* and a u32 in decimal */
	int err = 0;

	if (!q->ring_order)
		err = blanket_xs_printf(xs, t, dir, "ring-ref", "%u", q->ring_refs[0]);
	for (i = 0; q->ring_order && i < (1U << q->ring_order) && !err; i++) {
		snprintf(node, sizeof(node), "ring-ref%u", i);
		err = blanket_xs_printf(xs, t, dir, node, "%u", q->ring_refs[i]);
	}
	return err ?: blanket_xs_printf(xs, t, dir, "event-channel", "%u", q->port);
}

static int blanket_blk_write_keys(struct blanket_xs *xs, blanket_xbt_t t,
				  void *ctx)
{
	struct blanket_blk *info = ctx;
	struct blanket_device *bdev = info->bdev;
	unsigned int i;
	int err;

	err = blanket_write_count(bdev, t, "ring-page-order", info->lay.ring_order, 0) ?:
	      blanket_write_count(bdev, t, "multi-queue-num-queues", info->nr_queues, 1);
	for (i = 0; i < info->nr_queues && !err; i++) {
		char *dir = info->nr_queues > 1 ?
			    kasprintf(GFP_KERNEL, "%s/queue-%u", bdev->nodename, i) :
			    kstrdup(bdev->nodename, GFP_KERNEL);

		err = dir ? blanket_blk_write_queue(info, t, dir, &info->queues[i]) :
			    -ENOMEM;
		kfree(dir);
	}
	if (!err)
		err = blanket_xs_write(bdev->xs, t, bdev->nodename, "protocol",
				       XEN_IO_PROTO_ABI_NATIVE);
	if (!err)
		err = blanket_xs_write(bdev->xs, t, bdev->nodename, "feature-persistent",
				       info->params.persistent ? "1" : "0");
	return err;
}

/* Quiesce is counted by the block layer; we hold at most one. */
static void blanket_blk_quiesce(struct blanket_blk *info)
{
	if (info->disk && !info->quiesced) {
		blk_mq_quiesce_queue(info->disk->queue);
		info->quiesced = true;
	}
}

/* Let the queue run, and what waited for a backend go first. */
static void blanket_blk_unquiesce(struct blanket_blk *info)
{
	if (!info->disk)
		return;
	if (info->quiesced) {
		blk_mq_unquiesce_queue(info->disk->queue);
		info->quiesced = false;
	}
	blk_mq_kick_requeue_list(info->disk->queue);
}

/*
 * The backend is gone or going: stop the queues, hand back what is in
 * flight, and free the rings. The disk stays, its I/O waiting for the
 * next backend.
 */
static void blanket_blk_disconnect(struct blanket_blk *info)
{
	if (!info->queues)
		return;
	blanket_blk_quiesce(info);
	info->connected = false;
	blanket_blk_io_requeue(info);
	blanket_blk_io_destroy(info);
}

/*
 * A handshake that cannot go on: what waits for the backend would wait
 * for ever. The device is failed instead, and its I/O with it.
 */
static void blanket_blk_fail(struct blanket_blk *info, int err)
{
	blanket_dev_fatal(info->bdev, &info->broken, "cannot connect to %s (%d)",
			  info->bdev->otherend, err);
	blanket_blk_unquiesce(info);
}

/*
 * Blkback waits for us: build the rings and tell it where they are. The
 * runtime parameters are read here, once a connection: nothing is in
 * flight, and the slots that use them are built for this connection.
 */
static int blanket_blk_init_rings(struct blanket_blk *info)
{
	struct blanket_device *bdev = info->bdev;
	int err;

	info->params.persistent = READ_ONCE(feature_persistent);
	info->trusted = blanket_trusted(bdev, READ_ONCE(trusted));

	err = blanket_blk_read_opt(bdev, "max-ring-page-order", 0,
				   &info->be.max_ring_order) ?:
	      blanket_blk_read_opt(bdev, "multi-queue-max-queues", 1,
				   &info->be.max_queues);
	if (err)
		return -EPROTO;
	blanket_blkif_layout(&info->be, &info->params, &info->lay);
	/* The disk's hardware queues were fixed when it was made. */
	if (info->disk)
		info->lay.nr_queues = min(info->lay.nr_queues,
					  info->tag_set.nr_hw_queues);
	err = blanket_blk_io_create(info);
	if (!err)
		err = blanket_xs_transact(bdev->xs, blanket_blk_write_keys, info);
	if (!err)
		err = blanket_switch_state(bdev, XenbusStateInitialised);
	if (err)
		blanket_blk_io_destroy(info);
	return err;
}

/*
 * Blkback is Connected: the disk appears, or takes up its I/O again. A
 * disk keeps its logical sector: its users' data, and the requests that
 * wait to be sent again, are in that unit. info->be stays the last good
 * description of the backend until a new one is accepted.
 */
static int blanket_blk_connect(struct blanket_blk *info)
{
	struct blanket_device *bdev = info->bdev;
	struct blanket_blkif_backend be = info->be;
	int err;

	err = blanket_blk_read_backend(info, &be);
	if (err)
		return err;
	if (info->disk && be.sector_size != info->be.sector_size) {
		dev_err(&bdev->dev, "%s: sector-size %u is not the disk's %u: refused\n",
			bdev->otherend, be.sector_size, info->be.sector_size);
		return -EPROTO;
	}
	info->be = be;
	blanket_blkif_config(&info->be, &info->params, &info->cfg);
	err = blanket_blk_io_slots_create(info);
	if (err)
		return err;
	if (info->disk) {
		blanket_blk_disk_update(info);
	} else {
		err = blanket_blk_disk_create(info);
		if (err)
			return err;
	}
	err = blanket_switch_state(bdev, XenbusStateConnected);
	if (err)
		return err;
	info->connected = true;
	blanket_blk_unquiesce(info);
	if (!info->add_queued) {
		info->add_queued = true;
		queue_work(system_long_wq, &info->add_work);
	}
	dev_info(&bdev->dev, "%s: %llu sectors of %u bytes, %u queue(s), ring order %u, %u segments%s%s%s%s%s\n",
		 info->disk->disk_name, info->be.sectors, info->be.sector_size,
		 info->nr_queues, info->lay.ring_order, info->cfg.max_segs,
		 info->cfg.persistent ? ", persistent grants" : "",
		 info->cfg.flush_op ? ", flush" : "",
		 info->cfg.discard ? ", discard" : "",
		 info->be.readonly ? ", read-only" : "",
		 info->trusted ? "" : ", untrusted (bounced)");
	return 0;
}

static void blanket_blk_otherend_changed(struct blanket_device *bdev,
					 enum xenbus_state state)
{
	struct blanket_blk *info = dev_get_drvdata(&bdev->dev);
	bool broken;
	int err = 0;

	mutex_lock(&info->lock);
	/*
	 * Before we build rings, a closing or closed backend is one that has
	 * not yet seen our Initialising (after a reload, say): nothing to
	 * undo. Once Closed, its InitWait answers our Initialising.
	 */
	if (bdev->state == XenbusStateInitialising &&
	    (state >= XenbusStateClosing || state == XenbusStateUnknown)) {
		info->restarted = state == XenbusStateClosed;
		goto out;
	}
	/* A backend that vanished, if it comes back, is a new one: no restart. */
	if (state == XenbusStateUnknown)
		info->restarted = false;
	/*
	 * A failed device believes nothing more of the connection that
	 * failed, but follows it closing, and takes a backend that starts
	 * over as a new one (below).
	 */
	broken = READ_ONCE(info->broken);
	switch (state) {
	case XenbusStateInitWait:
		/*
		 * First contact, or blkback starting over after a Closed. Seen
		 * while we are Connected, it is a blkback unbound and bound
		 * again: it attaches to the rings our keys name, where it left
		 * them, so they stay.
		 */
		if (bdev->state != XenbusStateInitialising &&
		    bdev->state != XenbusStateClosed)
			break;
		/*
		 * A failed device starts over only with a backend that went
		 * through Closed, met our Initialising and answers it: not one
		 * unplugged on the way, nor one that never closed.
		 */
		if (broken && !info->restarted) {
			dev_warn(&bdev->dev, "%s is back without starting over after the error: still failing its I/O\n",
				 bdev->otherend);
			break;
		}
		info->restarted = false;
		blanket_blk_disconnect(info);
		if (broken) {
			dev_info(&bdev->dev, "%s started over after the error: reading it anew\n",
				 bdev->otherend);
			WRITE_ONCE(info->broken, false);
		}
		err = blanket_blk_init_rings(info);
		break;
	case XenbusStateConnected:
		if (!broken && bdev->state == XenbusStateInitialised)
			err = blanket_blk_connect(info);
		break;
	case XenbusStateClosing:
		/*
		 * Blkback finishes and answers what it has in flight once we
		 * say Closed, and only then lets go of the rings: new I/O
		 * waits (or fails, on a failed device), the rings stay until
		 * it is Closed.
		 */
		if (!broken)
			blanket_blk_quiesce(info);
		info->connected = false;
		if (bdev->state != XenbusStateClosed)
			blanket_switch_state(bdev, XenbusStateClosed);
		break;
	case XenbusStateClosed:
	case XenbusStateUnknown:
		blanket_blk_disconnect(info);
		/* Until a backend starts over, a failed device's I/O fails. */
		if (broken)
			blanket_blk_unquiesce(info);
		if (state == XenbusStateClosed &&
		    !blanket_switch_state(bdev, XenbusStateClosed)) {
			err = blanket_reopen(bdev);
			info->restarted = !err && bdev->state == XenbusStateInitialising;
		}
		break;
	default:
		break;
	}
	if (err)
		blanket_blk_fail(info, err);
out:
	mutex_unlock(&info->lock);
}

/*
 * Blkback rewrote "sectors": an online resize. A size that is no number,
 * or no whole number of logical sectors, describes no disk: the device
 * is failed rather than guessed at. One that has gone is the backend's
 * directory going with an unplug, which the bus handles.
 */
static void blanket_blk_sectors_changed(struct blanket_xs_watch *watch,
					const char *path)
{
	struct blanket_blk *info = container_of(watch, struct blanket_blk,
						sectors_watch);
	struct blanket_blkif_backend be;
	const char *why = "sectors is malformed";
	int err;

	mutex_lock(&info->lock);
	/* Nor is a failed connection's size believed. */
	if (!info->connected || !info->disk || READ_ONCE(info->broken))
		goto out;
	be = info->be;
	err = blanket_blk_read_sectors(info->bdev, &be.sectors);
	if (err == -ENOENT)
		goto out;
	if (!err)
		err = blanket_blkif_check_backend(&be, &why);
	if (err) {
		blanket_dev_fatal(info->bdev, &info->broken, "%s: %s",
				  info->bdev->otherend, why);
	} else if (be.sectors != info->be.sectors) {
		dev_info(&info->bdev->dev, "%s: resized from %llu to %llu sectors\n",
			 info->disk->disk_name, info->be.sectors, be.sectors);
		info->be.sectors = be.sectors;
		set_capacity_and_notify(info->disk, be.sectors);
	}
out:
	mutex_unlock(&info->lock);
}

/* Watch the backend's size where its directory is now. */
static int blanket_blk_watch_sectors(struct blanket_blk *info)
{
	struct blanket_device *bdev = info->bdev;
	char *path = kasprintf(GFP_KERNEL, "%s/sectors", bdev->otherend);
	int err = 0;

	if (!path)
		return -ENOMEM;
	if (info->sectors_watch.path && strcmp(path, info->sectors_watch.path))
		blanket_xs_unwatch(bdev->xs, &info->sectors_watch);
	if (!info->sectors_watch.path)
		err = blanket_xs_watch(bdev->xs, &info->sectors_watch, path,
				       blanket_blk_sectors_changed);
	kfree(path);
	return err;
}

/*
 * A request went unanswered for the request timeout: the backend is
 * failed for this connection, and so is all I/O, waiting or not.
 */
static void blanket_blk_timed_out(struct work_struct *work)
{
	struct blanket_blk *info = container_of(work, struct blanket_blk, timeout_work);

	/* The backend may be gone with a save: the request goes to the next. */
	if (blanket_restore_pending(info->bdev))
		return;
	mutex_lock(&info->lock);
	/* Without rings, nothing is in flight: the timeout was of a connection gone. */
	if (info->queues) {
		blanket_dev_fatal(info->bdev, &info->broken,
				  "a request went unanswered for %u s",
				  info->params.timeout);
		blanket_blk_unquiesce(info);
	}
	mutex_unlock(&info->lock);
}

static int blanket_blk_probe(struct blanket_device *bdev,
			     const struct blanket_device_id *id)
{
	struct blanket_blk *info;
	int err;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	info->bdev = bdev;
	blanket_blk_params(&info->params);
	mutex_init(&info->lock);
	INIT_WORK(&info->add_work, blanket_blk_disk_add);
	INIT_WORK(&info->timeout_work, blanket_blk_timed_out);
	dev_set_drvdata(&bdev->dev, info);
	/* Blkback may still be where an earlier driver left it. */
	err = blanket_handshake_reset(bdev);
	if (!err)
		err = blanket_blk_watch_sectors(info);
	if (err)
		kfree(info);
	return err;
}

/*
 * Tell blkback we are going and give it time to answer what is in flight
 * and unmap our rings, which it does once we are Closed. The state watch
 * is gone by now, so its state is read, not waited for.
 */
static void blanket_blk_close(struct blanket_blk *info)
{
	struct blanket_device *bdev = info->bdev;

	if (!info->queues)
		return;
	blanket_close(bdev);
	if (!blanket_switch_state(bdev, XenbusStateClosed))
		blanket_await_otherend(bdev, XenbusStateClosed);
}

/*
 * L0 is about to save the machine. Blkback answers what is in flight
 * before it closes (what it does not is sent again on the next
 * connection); new I/O waits, and the disk stays. After a restore L0
 * made unasked (@gone) blkback is gone: what it answered before the save
 * is taken, and the rest is sent again.
 */
static void blanket_blk_suspend(struct blanket_device *bdev, bool gone)
{
	struct blanket_blk *info = dev_get_drvdata(&bdev->dev);

	mutex_lock(&info->lock);
	blanket_blk_quiesce(info);
	if (!gone)
		blanket_blk_close(info);
	blanket_blk_disconnect(info);
	mutex_unlock(&info->lock);
}

/*
 * After a restore a new blkback answers our Initialising with InitWait,
 * and, as one starting over, is believed again if the last one broke the
 * device; after a cancelled save the old one, Closed, is asked to start
 * over. Either way what waited goes on the next connection.
 */
static void blanket_blk_resume(struct blanket_device *bdev, bool restored,
			       int err)
{
	struct blanket_blk *info = dev_get_drvdata(&bdev->dev);

	/* Not under info->lock, which the watch's callback takes. */
	if (!err && restored)
		err = blanket_blk_watch_sectors(info);
	mutex_lock(&info->lock);
	if (!err && !restored)
		err = blanket_reopen(bdev);
	if (err)
		blanket_blk_fail(info, err);
	else
		info->restarted = bdev->state == XenbusStateInitialising;
	mutex_unlock(&info->lock);
}

/*
 * Hot-unplug or rmmod. What blkback did not answer by the time it closed
 * fails with an error: with the device gone there is nobody to send it to.
 * The disk goes too, whether or not it was added yet.
 */
static void blanket_blk_remove(struct blanket_device *bdev)
{
	struct blanket_blk *info = dev_get_drvdata(&bdev->dev);
	unsigned int i;

	/* Not set if it could not be set again after a restore. */
	if (info->sectors_watch.path)
		blanket_xs_unwatch(bdev->xs, &info->sectors_watch);
	mutex_lock(&info->lock);
	blanket_blk_close(info);
	/* For good: no state event comes any more to undo it. */
	WRITE_ONCE(info->broken, true);
	blanket_blk_quiesce(info);
	for (i = 0; i < info->nr_queues; i++) {
		queue_work(system_highpri_wq, &info->queues[i].work);
		flush_work(&info->queues[i].work);
	}
	blanket_blk_io_destroy(info);
	/* Requeued requests meet a broken device and fail, a partition scan's too. */
	blanket_blk_unquiesce(info);
	mutex_unlock(&info->lock);
	cancel_work_sync(&info->add_work);
	if (info->disk)
		blanket_blk_disk_destroy(info);
	/* No request is left to time out; one that did waits no more. */
	cancel_work_sync(&info->timeout_work);
	blanket_switch_state(bdev, XenbusStateClosed);
	kfree(info);
}

static const struct blanket_device_id blanket_blk_ids[] = {
	{ "vbd" },
	{ "" }
};

static struct blanket_driver blanket_blk_driver = {
	.driver.name = KBUILD_MODNAME,
	.ids = blanket_blk_ids,
	.probe = blanket_blk_probe,
	.remove = blanket_blk_remove,
	.otherend_changed = blanket_blk_otherend_changed,
	.suspend = blanket_blk_suspend,
	.resume = blanket_blk_resume,
	.fatal_effect = "failing its I/O from now on",
	.fatal = blanket_blk_io_fatal,
};

module_blanket_driver(blanket_blk_driver);

MODULE_DESCRIPTION("blanket: blkif frontend to the outer Xen's (L0) blkback");
MODULE_LICENSE("GPL");
MODULE_VERSION(BLANKET_VERSION);
MODULE_ALIAS("blanket:vbd");
