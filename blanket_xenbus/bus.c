// SPDX-License-Identifier: GPL-2.0
/*
 * The "blanket" bus: one struct device per L0 device we are a frontend
 * of, matched to drivers by device type. It is a bus of its own, not the
 * kernel's xen bus, because Dom0's xenbus keeps serving L1 Xen's devices.
 */

#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <blanket/xenstore.h>
#include <blanket/compat.h>
#include <blanket/test_export.h>
#include "bus.h"

/* A device's name on the bus: "vif-0" for device/vif/0. */
#define BLANKET_DEV_NAME_FMT "%s-%u"

static struct dentry *blanket_debugfs, *blanket_debugfs_devices;

static const struct blanket_device_id *
blanket_match_id(const struct blanket_driver *drv,
		 const struct blanket_device *bdev)
{
	const struct blanket_device_id *id;

	for (id = drv->ids; id && id->devtype[0]; id++)
		if (!strcmp(id->devtype, bdev->devtype))
			return id;
	return NULL;
}

static int blanket_bus_match(struct device *dev, blanket_match_drv_t *drv)
{
	return !!blanket_match_id(to_blanket_driver(drv),
				  to_blanket_device(dev));
}

static int blanket_bus_uevent(blanket_uevent_dev_t *dev,
			      struct kobj_uevent_env *env)
{
	const struct blanket_device *bdev =
		container_of(dev, struct blanket_device, dev);

	return add_uevent_var(env, "MODALIAS=blanket:%s", bdev->devtype);
}

/*
 * The backend's state node changed (or the watch was just set). A value
 * that is not a XenbusState is reported and otherwise ignored: the driver
 * only ever sees states that exist.
 */
static void blanket_otherend_changed(struct blanket_xs_watch *watch,
				     const char *path)
{
	struct blanket_device *bdev =
		container_of(watch, struct blanket_device, otherend_watch);
	struct blanket_driver *drv = to_blanket_driver(bdev->dev.driver);
	u32 state;
	int err;

	err = blanket_xs_read_u32(bdev->xs, BLANKET_XBT_NIL, bdev->otherend,
				  "state", &state);
	if (err == -ENOENT) {
		/* No backend (yet, or any more): the state is unknown. */
		state = XenbusStateUnknown;
	} else if (err || state > XenbusStateReconfigured) {
		dev_err_ratelimited(&bdev->dev, "%s/state: not a XenbusState, ignored\n",
				    bdev->otherend);
		return;
	}
	if (state == READ_ONCE(bdev->otherend_state))
		return;

	WRITE_ONCE(bdev->otherend_state, state);
	wake_up_all(&bdev->state_wq);
	if (drv->otherend_changed)
		drv->otherend_changed(bdev, state);
	/*
	 * The backend's state went with a connection up or on the way (L0
	 * restarted the backend's domain, say): the driver has let go of it,
	 * and our Closed is what makes the driver, and the backend that
	 * comes back, start over rather than wait for each other for ever.
	 */
	if (state == XenbusStateUnknown && bdev->state != XenbusStateInitialising)
		blanket_switch_state(bdev, XenbusStateClosed);
}

/* From here on the driver hears of every backend state change. */
static int blanket_bus_watch_otherend(struct blanket_device *bdev)
{
	char *path = kasprintf(GFP_KERNEL, "%s/state", bdev->otherend);
	int err;

	err = path ? blanket_xs_watch(bdev->xs, &bdev->otherend_watch, path,
				      blanket_otherend_changed) : -ENOMEM;
	kfree(path);
	if (err)
		dev_err(&bdev->dev, "cannot watch %s/state: %d\n", bdev->otherend, err);
	return err;
}

static int blanket_bus_probe(struct device *dev)
{
	struct blanket_device *bdev = to_blanket_device(dev);
	struct blanket_driver *drv = to_blanket_driver(dev->driver);
	const struct blanket_device_id *id = blanket_match_id(drv, bdev);
	int err;

	if (!id)
		return -ENODEV;
	/*
	 * What an earlier driver heard is not this one's: it hears the
	 * backend's state from the start, even one unchanged since then.
	 */
	WRITE_ONCE(bdev->otherend_state, XenbusStateUnknown);
	err = drv->probe(bdev, id);
	if (err || !bdev->xs)
		return err;

	err = blanket_bus_watch_otherend(bdev);
	if (err && drv->remove)
		drv->remove(bdev);
	return err;
}

static void blanket_bus_remove(struct device *dev)
{
	struct blanket_device *bdev = to_blanket_device(dev);
	struct blanket_driver *drv = to_blanket_driver(dev->driver);

	if (bdev->xs)
		blanket_xs_unwatch(bdev->xs, &bdev->otherend_watch);
	if (drv->remove)
		drv->remove(bdev);
}

static ssize_t nodename_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", to_blanket_device(dev)->nodename);
}
static DEVICE_ATTR_RO(nodename);

static ssize_t devtype_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", to_blanket_device(dev)->devtype);
}
static DEVICE_ATTR_RO(devtype);

static ssize_t otherend_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%s\n", to_blanket_device(dev)->otherend);
}
static DEVICE_ATTR_RO(otherend);

static ssize_t otherend_id_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_blanket_device(dev)->otherend_id);
}
static DEVICE_ATTR_RO(otherend_id);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	enum xenbus_state state = READ_ONCE(to_blanket_device(dev)->state);

	return sysfs_emit(buf, "%s\n", blanket_state_name(state));
}
static DEVICE_ATTR_RO(state);

static ssize_t modalias_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "blanket:%s\n", to_blanket_device(dev)->devtype);
}
static DEVICE_ATTR_RO(modalias);

static struct attribute *blanket_dev_attrs[] = {
	&dev_attr_nodename.attr,
	&dev_attr_devtype.attr,
	&dev_attr_otherend.attr,
	&dev_attr_otherend_id.attr,
	&dev_attr_state.attr,
	&dev_attr_modalias.attr,
	NULL,
};
ATTRIBUTE_GROUPS(blanket_dev);

static struct bus_type blanket_bus_type = {
	.name = "blanket",
	.match = blanket_bus_match,
	.uevent = blanket_bus_uevent,
	.probe = blanket_bus_probe,
	.remove = blanket_bus_remove,
	.dev_groups = blanket_dev_groups,
};

int __blanket_register_driver(struct blanket_driver *drv,
			      struct module *owner, const char *mod_name)
{
	if (!drv->probe || !drv->ids)
		return -EINVAL;

	drv->driver.bus = &blanket_bus_type;
	drv->driver.owner = owner;
	drv->driver.mod_name = mod_name;
	return driver_register(&drv->driver);
}
EXPORT_SYMBOL_GPL(__blanket_register_driver);

void blanket_unregister_driver(struct blanket_driver *drv)
{
	driver_unregister(&drv->driver);
}
EXPORT_SYMBOL_GPL(blanket_unregister_driver);

static int blanket_device_stats_show(struct seq_file *m, void *unused)
{
	struct blanket_device *bdev = m->private;

	seq_printf(m, "notifications %lld\ngrants_in_use %lld\nstate %s\n"
		   "otherend_state %s\n", atomic64_read(&bdev->notifications),
		   atomic64_read(&bdev->grants), blanket_state_name(bdev->state),
		   blanket_state_name(READ_ONCE(bdev->otherend_state)));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(blanket_device_stats);

static void blanket_device_release(struct device *dev)
{
	struct blanket_device *bdev = to_blanket_device(dev);

	kfree(bdev->devtype);
	kfree(bdev->nodename);
	kfree(bdev);
}

/*
 * Add the device for device/<devtype>/<devid> of connection @xs, whose
 * backend lives at @otherend in domain @otherend_id. The caller has
 * validated all of these; the bus only refuses what would make a bad
 * sysfs name. Without a connection (tests of the bus alone) nothing is
 * watched.
 */
struct blanket_device *blanket_bus_add_device(struct blanket_xs *xs,
					      const char *devtype, u32 devid,
					      const char *otherend,
					      domid_t otherend_id)
{
	struct blanket_device *bdev;
	int err;

	if (!*devtype || strlen(devtype) >= BLANKET_DEVTYPE_MAX ||
	    strchr(devtype, '/') || strlen(otherend) >= BLANKET_OTHEREND_MAX)
		return ERR_PTR(-EINVAL);

	bdev = kzalloc(sizeof(*bdev), GFP_KERNEL);
	if (!bdev)
		return ERR_PTR(-ENOMEM);

	device_initialize(&bdev->dev);
	bdev->dev.bus = &blanket_bus_type;
	bdev->dev.release = blanket_device_release;
	bdev->xs = xs;
	init_waitqueue_head(&bdev->state_wq);
	mutex_init(&bdev->state_lock);
	bdev->otherend_state = XenbusStateUnknown;
	bdev->devid = devid;
	bdev->otherend_id = otherend_id;
	bdev->state = XenbusStateInitialising;
	bdev->devtype = kstrdup(devtype, GFP_KERNEL);
	bdev->nodename = kasprintf(GFP_KERNEL, "device/%s/%u", devtype, devid);
	strscpy(bdev->otherend, otherend, sizeof(bdev->otherend));
	if (!bdev->devtype || !bdev->nodename) {
		err = -ENOMEM;
		goto put;
	}

	err = dev_set_name(&bdev->dev, BLANKET_DEV_NAME_FMT, devtype, devid);
	if (err)
		goto put;
	err = device_add(&bdev->dev);
	if (err)
		goto put;
	bdev->debugfs = debugfs_create_file(dev_name(&bdev->dev), 0444,
					    blanket_debugfs_devices, bdev,
					    &blanket_device_stats_fops);
	return bdev;

put:
	put_device(&bdev->dev);
	return ERR_PTR(err);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_bus_add_device);

void blanket_bus_remove_device(struct blanket_device *bdev)
{
	debugfs_remove(bdev->debugfs);
	device_unregister(&bdev->dev);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_bus_remove_device);

struct blanket_bus_walk {
	struct blanket_xs *xs;
	void (*fn)(struct blanket_device *bdev, void *ctx);
	void *ctx;
};

static int blanket_bus_walk_one(struct device *dev, void *data)
{
	struct blanket_device *bdev = to_blanket_device(dev);
	struct blanket_bus_walk *w = data;

	if (bdev->xs == w->xs)
		w->fn(bdev, w->ctx);
	return 0;
}

/* Call @fn for every device that lives in the xenstore connection @xs. */
void blanket_bus_for_each(struct blanket_xs *xs,
			  void (*fn)(struct blanket_device *bdev, void *ctx),
			  void *ctx)
{
	struct blanket_bus_walk w = { .xs = xs, .fn = fn, .ctx = ctx };

	bus_for_each_dev(&blanket_bus_type, NULL, &w, blanket_bus_walk_one);
}

struct blanket_bus_prune {
	bool (*gone)(struct blanket_device *bdev, void *ctx);
	void *ctx;
};

static void blanket_bus_prune_one(struct blanket_device *bdev, void *data)
{
	struct blanket_bus_prune *p = data;

	if (!p->gone || p->gone(bdev, p->ctx))
		blanket_bus_remove_device(bdev);
}

/*
 * Remove the devices that live in the xenstore connection @xs and that
 * @gone says have gone, or all of them if @gone is NULL.
 */
void blanket_bus_prune(struct blanket_xs *xs,
		       bool (*gone)(struct blanket_device *bdev, void *ctx),
		       void *ctx)
{
	struct blanket_bus_prune p = { .gone = gone, .ctx = ctx };

	blanket_bus_for_each(xs, blanket_bus_prune_one, &p);
}

/* --- L0 saving the machine, and restoring it ----------------------------- */

/* The driver bound to @bdev, if any; the device lock held. */
static struct blanket_driver *blanket_bus_driver(struct blanket_device *bdev)
{
	return bdev->dev.driver ? to_blanket_driver(bdev->dev.driver) : NULL;
}

static void blanket_bus_suspend_one(struct blanket_device *bdev, void *gone)
{
	struct blanket_driver *drv;

	device_lock(&bdev->dev);
	drv = blanket_bus_driver(bdev);
	if (drv && drv->suspend)
		drv->suspend(bdev, *(bool *)gone);
	device_unlock(&bdev->dev);
}

/*
 * L0 is about to save the machine, or (@gone) restored it without asking:
 * every device lets go of its backend.
 */
void blanket_bus_suspend(struct blanket_xs *xs, bool gone)
{
	blanket_bus_for_each(xs, blanket_bus_suspend_one, &gone);
}

static void blanket_bus_restored_one(struct blanket_device *bdev, void *unused)
{
	mutex_lock(&bdev->state_lock);
	bdev->state = XenbusStateInitialising;
	mutex_unlock(&bdev->state_lock);
	WRITE_ONCE(bdev->otherend_state, XenbusStateUnknown);
}

/*
 * L0 restored the machine in a new domain, whose directories L0's
 * toolstack wrote anew: every device is Initialising again, before a
 * backend it has not met. Before xenstore's watches fire again, so that
 * the enumerator does not take a directory for one L0 re-created, nor a
 * driver a new backend's InitWait for a restart of the old one.
 */
void blanket_bus_restored(struct blanket_xs *xs)
{
	blanket_bus_for_each(xs, blanket_bus_restored_one, NULL);
}

/*
 * After a restore (@restored) or a cancelled save: the device's backend,
 * if it moved with the restore (our domain's id is another), is now at
 * @otherend of domain @otherend_id (NULL: where it was; validated by the
 * caller, as for blanket_bus_add_device()), and the driver resumes,
 * failing the device if @err.
 */
void blanket_bus_resume_device(struct blanket_device *bdev, bool restored,
			       const char *otherend, domid_t otherend_id,
			       int err)
{
	struct blanket_driver *drv;

	device_lock(&bdev->dev);
	drv = blanket_bus_driver(bdev);
	if (!err && otherend && (strcmp(otherend, bdev->otherend) ||
				 otherend_id != bdev->otherend_id)) {
		if (bdev->otherend_watch.path)
			blanket_xs_unwatch(bdev->xs, &bdev->otherend_watch);
		strscpy(bdev->otherend, otherend, sizeof(bdev->otherend));
		WRITE_ONCE(bdev->otherend_id, otherend_id);
		if (drv)
			err = blanket_bus_watch_otherend(bdev);
	}
	if (drv && drv->resume)
		drv->resume(bdev, restored, err);
	device_unlock(&bdev->dev);
}

/* The device for device/<devtype>/<devid>, with a reference, or NULL. */
struct blanket_device *blanket_bus_find_device(const char *devtype, u32 devid)
{
	char name[BLANKET_DEVTYPE_MAX + 12];
	struct device *dev;

	snprintf(name, sizeof(name), BLANKET_DEV_NAME_FMT, devtype, devid);
	dev = bus_find_device_by_name(&blanket_bus_type, NULL, name);
	return dev ? to_blanket_device(dev) : NULL;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_bus_find_device);

/* debugfs: blanket/devices/<device> here, blanket/<pci device>/ per L0. */
struct dentry *blanket_bus_debugfs(void)
{
	return blanket_debugfs;
}

int blanket_bus_init(void)
{
	int err = bus_register(&blanket_bus_type);

	if (err)
		return err;
	blanket_debugfs = debugfs_create_dir("blanket", NULL);
	blanket_debugfs_devices = debugfs_create_dir("devices", blanket_debugfs);
	return 0;
}

void blanket_bus_exit(void)
{
	debugfs_remove_recursive(blanket_debugfs);
	bus_unregister(&blanket_bus_type);
}
