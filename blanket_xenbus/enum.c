// SPDX-License-Identifier: GPL-2.0
/*
 * Enumeration of our devices in L0's xenstore: device/<type>/<id>, each
 * with "backend" (the backend's directory) and "backend-id" (its domain).
 * One watch on "device" finds them at start (xenstored fires a new watch
 * once) and on every hot-plug and hot-unplug after that, a detach and an
 * attach of the same id included, however soon one follows the other.
 *
 * Everything read here comes from L0 and is checked before the bus sees
 * it; a device whose nodes do not parse is reported and left out.
 */

#include <linux/device.h>
#include <linux/slab.h>

#include <blanket/test_export.h>
#include "bus.h"
#include "enum.h"
#include "xs_wire.h"

/* A decimal id without sign or leading zeros: "0", "51712". */
static int blanket_parse_devid(const char *s, u32 *id)
{
	if (s[0] == '0' && s[1])
		return -EINVAL;
	return kstrtou32(s, 10, id) ? -EINVAL : 0;
}

static int blanket_read_backend(struct blanket_enum *e, const char *node,
				char **backend, domid_t *backend_id)
{
	char *path;
	u32 domid;
	int err;

	err = blanket_xs_read_u32(e->xs, BLANKET_XBT_NIL, node, "backend-id",
				  &domid);
	if (err)
		return err;
	if (domid >= DOMID_FIRST_RESERVED) {
		dev_err_ratelimited(e->dev, "%s/backend-id: %u is not a domain\n",
				    node, domid);
		return -EINVAL;
	}

	path = blanket_xs_read(e->xs, BLANKET_XBT_NIL, node, "backend", NULL);
	if (IS_ERR(path))
		return PTR_ERR(path);
	if (path[0] != '/' || blanket_xs_wire_path_valid(path) ||
	    strlen(path) >= BLANKET_OTHEREND_MAX) {
		dev_err_ratelimited(e->dev, "%s/backend: not an absolute xenstore path of a backend\n",
				    node);
		kfree(path);
		return -EINVAL;
	}
	*backend = path;
	*backend_id = domid;
	return 0;
}

/*
 * Not every node below device/ is a device (libxl writes
 * device/suspend/event-channel): only one with a backend looks like one.
 */
static bool blanket_enum_has_backend(struct blanket_enum *e, const char *type,
				     const char *idstr)
{
	char *node = kasprintf(GFP_KERNEL, "device/%s/%s", type, idstr);
	char *backend;

	if (!node)
		return false;
	backend = blanket_xs_read(e->xs, BLANKET_XBT_NIL, node, "backend", NULL);
	kfree(node);
	if (IS_ERR(backend))
		return false;
	kfree(backend);
	return true;
}

/*
 * device/<type>/<id> exists or has changed: add it unless we have it, and
 * replace ours if @dir_event (an event on the directory itself: removed or
 * created) finds that L0 created it again. Returns -ENOENT if it is not
 * (or no longer, or not yet fully) there.
 */
static int blanket_enum_one(struct blanket_enum *e, const char *type,
			    const char *idstr, bool dir_event)
{
	struct blanket_device *bdev;
	char *node, *backend;
	domid_t backend_id;
	u32 id;
	int err;

	if (!*type || strlen(type) >= BLANKET_DEVTYPE_MAX ||
	    blanket_xs_wire_path_valid(type) || blanket_parse_devid(idstr, &id)) {
		if (blanket_enum_has_backend(e, type, idstr))
			dev_err_ratelimited(e->dev, "device/%s/%s: not a device type and id, ignored\n",
					    type, idstr);
		return -EINVAL;
	}

	/* Read first: a device whose nodes are gone has been unplugged. */
	node = kasprintf(GFP_KERNEL, "device/%s/%u", type, id);
	if (!node)
		return -ENOMEM;
	err = blanket_read_backend(e, node, &backend, &backend_id);
	kfree(node);
	if (err)
		return err;

	bdev = blanket_bus_find_device(type, id);
	if (bdev && dir_event && blanket_device_replaced(bdev)) {
		dev_info(e->dev, "device/%s/%u: created again by L0, a new device\n",
			 type, id);
		blanket_bus_remove_device(bdev);
		put_device(&bdev->dev);
		bdev = NULL;
	}
	if (bdev) {
		put_device(&bdev->dev);
		kfree(backend);
		return 0;
	}

	bdev = blanket_bus_add_device(e->xs, type, id, backend, backend_id);
	kfree(backend);
	if (IS_ERR(bdev)) {
		dev_err(e->dev, "device/%s/%u: cannot add: %ld\n", type, id,
			PTR_ERR(bdev));
		return PTR_ERR(bdev);
	}
	return 0;
}

/*
 * A device of ours whose node has gone, or was created again: an unplug
 * (and plug) we were not told of.
 */
static bool blanket_enum_unplugged(struct blanket_device *bdev, void *ctx)
{
	domid_t backend_id;
	char *backend;
	int err;

	err = blanket_read_backend(ctx, bdev->nodename, &backend, &backend_id);
	if (err)
		return err == -ENOENT;
	kfree(backend);
	return blanket_device_replaced(bdev);
}

/*
 * Look at everything below device/: the first look, and the one that
 * stands for events dropped or coalesced, unplugs among them.
 */
static void blanket_enum_all(struct blanket_enum *e)
{
	unsigned int ntypes, nids, i, j;
	char **types, **ids, *dir;

	blanket_bus_prune(e->xs, blanket_enum_unplugged, e);
	types = blanket_xs_directory(e->xs, BLANKET_XBT_NIL, "device", "", &ntypes);
	if (IS_ERR(types))
		return;
	for (i = 0; i < ntypes; i++) {
		dir = kasprintf(GFP_KERNEL, "device/%s", types[i]);
		ids = dir ? blanket_xs_directory(e->xs, BLANKET_XBT_NIL, dir, "",
						 &nids) : ERR_PTR(-ENOMEM);
		kfree(dir);
		if (IS_ERR(ids))
			continue;
		for (j = 0; j < nids; j++)
			blanket_enum_one(e, types[i], ids[j], false);
		kfree(ids);
	}
	kfree(types);
}

/* Hot-unplug: the toolstack removed device/<type>/<id>. */
static void blanket_enum_gone(const char *type, const char *idstr)
{
	struct blanket_device *bdev;
	u32 id;

	if (blanket_parse_devid(idstr, &id))
		return;
	bdev = blanket_bus_find_device(type, id);
	if (!bdev)
		return;
	blanket_bus_remove_device(bdev);
	put_device(&bdev->dev);
}

static void blanket_enum_changed(struct blanket_xs_watch *watch,
				 const char *path)
{
	struct blanket_enum *e = container_of(watch, struct blanket_enum, watch);
	char *copy, *rest, *type, *id;

	/* "device/<type>/<id>[/...]": look at that one device only. */
	copy = kstrdup(path, GFP_KERNEL);
	rest = copy;
	strsep(&rest, "/");
	type = strsep(&rest, "/");
	id = strsep(&rest, "/");
	/*
	 * Anything else ("device" itself, a new watch's event or a rescan;
	 * "device/<type>", a type added or removed whole) is a look at all.
	 */
	if (!id)
		blanket_enum_all(e);
	else if (blanket_enum_one(e, type, id, !rest) == -ENOENT)
		blanket_enum_gone(type, id);
	kfree(copy);
}

struct blanket_enum_resume {
	struct blanket_enum *e;
	bool restored;
	int err;
};

/*
 * After a restore the backend's directory is read anew: it names our
 * domain, whose id may be another now.
 */
static void blanket_enum_resume_one(struct blanket_device *bdev, void *ctx)
{
	struct blanket_enum_resume *r = ctx;
	domid_t backend_id = 0;
	char *backend = NULL;
	int err = r->err;

	if (!err && r->restored) {
		err = blanket_read_backend(r->e, bdev->nodename, &backend,
					   &backend_id);
		/* Gone with the restore: the enumerator removes it. */
		if (err == -ENOENT)
			return;
	}
	blanket_bus_resume_device(bdev, r->restored, backend, backend_id, err);
	kfree(backend);
}

/*
 * L0 restored the machine (@restored) or cancelled its save; @err if the
 * connection could not be set up again, which fails every device.
 */
void blanket_enum_resume(struct blanket_enum *e, bool restored, int err)
{
	struct blanket_enum_resume r = { .e = e, .restored = restored, .err = err };

	blanket_bus_for_each(e->xs, blanket_enum_resume_one, &r);
}

/* Find the devices there are, and follow L0 adding and removing them. */
int blanket_enum_start(struct blanket_enum *e, struct blanket_xs *xs,
		       struct device *dev)
{
	e->xs = xs;
	e->dev = dev;
	return blanket_xs_watch(xs, &e->watch, "device", blanket_enum_changed);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_enum_start);

/* Stop following L0 and remove every device of this connection. */
void blanket_enum_stop(struct blanket_enum *e)
{
	blanket_xs_unwatch(e->xs, &e->watch);
	blanket_bus_prune(e->xs, NULL, NULL);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_enum_stop);
