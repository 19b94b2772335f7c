// SPDX-License-Identifier: GPL-2.0
/*
 * The xenstore client: requests from many callers over one ring, replies
 * matched by req_id, watch events delivered in process context.
 *
 * L0's xenstored is not trusted. A reply we cannot frame (a bad header,
 * impossible ring indexes) breaks the connection for good: every waiter
 * gets -EIO and nothing is read from the ring again. A reply that is
 * framed but wrong (unknown req_id, malformed body) is dropped or turned
 * into an error for its one caller.
 */

#include <linux/completion.h>
#include <linux/device.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include <blanket/test_export.h>
#include "xs.h"
#include "xs_wire.h"

/* Messages the reader takes in one go before it lets other work run. */
#define BLANKET_XS_READ_BATCH 64

struct blanket_xs_req {
	struct list_head list;		/* on xs->pending until answered */
	u32 req_id;
	struct completion done;
	u32 reply_type;
	char *body;			/* len + 1 bytes, NUL-terminated */
	u32 len;
	int err;
};

struct blanket_xs_event {
	struct list_head list;
	struct blanket_xs_watch *watch;
	char path[];
};

bool blanket_xs_broken(struct blanket_xs *xs)
{
	return READ_ONCE(xs->broken);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_broken);

void blanket_xs_get_stats(struct blanket_xs *xs, struct blanket_xs_stats *stats)
{
	spin_lock(&xs->lock);
	*stats = xs->stats;
	spin_unlock(&xs->lock);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_get_stats);

/* End the wait of every request in flight with @err; under xs->lock. */
static void blanket_xs_end_pending(struct blanket_xs *xs, int err)
{
	struct blanket_xs_req *req, *tmp;

	list_for_each_entry_safe(req, tmp, &xs->pending, list) {
		list_del_init(&req->list);
		req->err = err;
		complete(&req->done);
	}
}

/*
 * Stop the connection: fail every waiter now and every caller later.
 * Returns whether it was stopped already.
 */
static bool blanket_xs_stop(struct blanket_xs *xs)
{
	bool was_broken;

	spin_lock(&xs->lock);
	was_broken = xs->broken;
	WRITE_ONCE(xs->broken, true);
	blanket_xs_end_pending(xs, -EIO);
	spin_unlock(&xs->lock);
	wake_up_all(&xs->ring_wq);
	wake_up_all(&xs->suspend_wq);
	return was_broken;
}

static void blanket_xs_break(struct blanket_xs *xs, const char *why, int err)
{
	if (!blanket_xs_stop(xs))
		dev_err(xs->dev, "xenstore connection to L0 broken: %s (%d)\n",
			why, err);
}

/* The connection's owner gives up on it: as if xenstored had broken it. */
void blanket_xs_fail(struct blanket_xs *xs, const char *why, int err)
{
	blanket_xs_break(xs, why, err);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_fail);

/* Write all of @data, waiting for xenstored to make room. */
static int blanket_xs_write_all(struct blanket_xs *xs, const void *data,
				size_t len)
{
	while (len) {
		int n = blanket_xs_ring_write(&xs->ring, data, len);

		if (n < 0)
			return n;
		if (!n) {
			/* Full: make sure xenstored knows there is work. */
			xs->notify(xs->notify_ctx);
			if (!wait_event_timeout(xs->ring_wq,
						blanket_xs_ring_room(&xs->ring) ||
						blanket_xs_broken(xs),
						xs->timeout))
				return -ETIMEDOUT;
			if (blanket_xs_broken(xs))
				return -EIO;
			continue;
		}
		data += n;
		len -= n;
	}
	return 0;
}

static int blanket_xs_send(struct blanket_xs *xs, const struct xsd_sockmsg *hdr,
			   const struct kvec *iov, unsigned int nr)
{
	unsigned int i;
	int err;

	mutex_lock(&xs->write_lock);
	err = blanket_xs_write_all(xs, hdr, sizeof(*hdr));
	for (i = 0; !err && i < nr; i++)
		err = blanket_xs_write_all(xs, iov[i].iov_base, iov[i].iov_len);
	if (!err)
		xs->notify(xs->notify_ctx);
	mutex_unlock(&xs->write_lock);

	/* xenstored may have seen half a message: the stream is lost. */
	if (err)
		blanket_xs_break(xs, "request could not be written", err);
	return err;
}

/*
 * Whether a request in transaction @t waits for L0 to restore us. One in
 * a transaction does not: the save waits for the transaction instead.
 */
static bool blanket_xs_held(struct blanket_xs *xs, blanket_xbt_t t)
{
	return t == BLANKET_XBT_NIL && READ_ONCE(xs->suspended) &&
	       READ_ONCE(xs->resume_task) != current && !blanket_xs_broken(xs);
}

/* Nothing of ours on the ring, and no transaction open. */
static bool blanket_xs_quiet(struct blanket_xs *xs)
{
	bool quiet;

	spin_lock(&xs->lock);
	quiet = list_empty(&xs->pending) && !xs->transactions;
	spin_unlock(&xs->lock);
	return quiet;
}

/*
 * Send one request and wait for its reply. Returns the reply body
 * (NUL-terminated, *@len bytes before the NUL) or an ERR_PTR: the errno
 * of an XS_ERROR reply, -ETIMEDOUT, -EIO once the connection is broken,
 * -EPROTO for a reply that does not fit the request. While L0 saves us,
 * it waits for the restore first (blanket_xs_suspend()).
 */
static void *blanket_xs_talk(struct blanket_xs *xs, u32 type, blanket_xbt_t t,
			     const struct kvec *iov, unsigned int nr,
			     unsigned int *len)
{
	struct blanket_xs_req *req;
	struct xsd_sockmsg hdr;
	size_t total = 0;
	unsigned int i;
	bool answered;
	void *body;
	int err;

	for (i = 0; i < nr; i++)
		total += iov[i].iov_len;
	err = blanket_xs_wire_header(&hdr, type, 0, t, total);
	if (err)
		return ERR_PTR(err);

again:
	if (!wait_event_timeout(xs->suspend_wq, !blanket_xs_held(xs, t),
				xs->timeout))
		return ERR_PTR(-ETIMEDOUT);
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req)
		return ERR_PTR(-ENOMEM);
	init_completion(&req->done);

	spin_lock(&xs->lock);
	if (xs->broken) {
		spin_unlock(&xs->lock);
		kfree(req);
		return ERR_PTR(-EIO);
	}
	req->req_id = xs->next_req_id++;
	hdr.req_id = req->req_id;
	list_add_tail(&req->list, &xs->pending);
	xs->stats.requests++;
	spin_unlock(&xs->lock);

	err = blanket_xs_send(xs, &hdr, iov, nr);
	if (!err && !wait_for_completion_timeout(&req->done, xs->timeout))
		err = -ETIMEDOUT;

	/* The reader takes an answered request off the list before waking us. */
	spin_lock(&xs->lock);
	answered = list_empty(&req->list);
	if (!answered) {
		list_del(&req->list);
		if (err == -ETIMEDOUT)
			xs->stats.timeouts++;
	}
	spin_unlock(&xs->lock);
	if (READ_ONCE(xs->suspended))
		wake_up_all(&xs->suspend_wq);

	if (!answered) {
		if (err == -ETIMEDOUT)
			dev_err_ratelimited(xs->dev, "xenstore request %u (type %u) timed out\n",
					    hdr.req_id, type);
		kfree(req);
		return ERR_PTR(err);
	}

	body = req->body;
	err = req->err;
	/* Lost with the old xenstored: sent again, unless its transaction went too. */
	if (err == -EAGAIN && t == BLANKET_XBT_NIL) {
		kfree(req);
		goto again;
	}
	if (!err && req->reply_type == XS_ERROR) {
		err = blanket_xs_wire_error(body, req->len);
		spin_lock(&xs->lock);
		xs->stats.errors++;
		spin_unlock(&xs->lock);
	} else if (!err && req->reply_type != type) {
		dev_err_ratelimited(xs->dev, "xenstore reply of type %u to a request of type %u\n",
				    req->reply_type, type);
		err = -EPROTO;
	}
	if (len)
		*len = req->len;
	kfree(req);
	if (err) {
		kfree(body);
		return ERR_PTR(err);
	}
	return body;
}

/* Requests whose payload is a list of strings, each sent with its NUL. */
static void *blanket_xs_talk_strings(struct blanket_xs *xs, u32 type,
				     blanket_xbt_t t, const char *const *strs,
				     unsigned int nr, unsigned int *len)
{
	struct kvec iov[2];
	unsigned int i;

	if (WARN_ON(nr > ARRAY_SIZE(iov)))
		return ERR_PTR(-EINVAL);
	for (i = 0; i < nr; i++) {
		iov[i].iov_base = (void *)strs[i];
		iov[i].iov_len = strlen(strs[i]) + 1;
	}
	return blanket_xs_talk(xs, type, t, iov, nr, len);
}

/* The outcome of a request whose reply must be "OK": 0 or an errno. */
static int blanket_xs_ack(struct blanket_xs *xs, char *reply, unsigned int len)
{
	int err;

	if (IS_ERR(reply))
		return PTR_ERR(reply);
	err = blanket_xs_wire_ack(reply, len);
	if (err)
		dev_err_ratelimited(xs->dev, "xenstore: malformed acknowledgment\n");
	kfree(reply);
	return err;
}

static int blanket_xs_talk_ack(struct blanket_xs *xs, u32 type,
			       blanket_xbt_t t, const char *const *strs,
			       unsigned int nr)
{
	unsigned int len;
	char *reply;

	reply = blanket_xs_talk_strings(xs, type, t, strs, nr, &len);
	return blanket_xs_ack(xs, reply, len);
}

/* "dir/node", or "dir" alone for an empty node, checked before it is sent. */
static char *blanket_xs_join(const char *dir, const char *node)
{
	char *path;

	if (node && *node)
		path = kasprintf(GFP_KERNEL, "%s/%s", dir, node);
	else
		path = kstrdup(dir, GFP_KERNEL);
	if (!path)
		return ERR_PTR(-ENOMEM);
	if (blanket_xs_wire_path_valid(path)) {
		kfree(path);
		return ERR_PTR(-EINVAL);
	}
	return path;
}

static void *blanket_xs_path_op(struct blanket_xs *xs, u32 type,
				blanket_xbt_t t, const char *dir,
				const char *node, unsigned int *len)
{
	char *path = blanket_xs_join(dir, node);
	void *reply;

	if (IS_ERR(path))
		return path;
	reply = blanket_xs_talk_strings(xs, type, t, (const char *const *)&path,
					1, len);
	kfree(path);
	return reply;
}

static int blanket_xs_path_ack(struct blanket_xs *xs, u32 type,
			       blanket_xbt_t t, const char *dir,
			       const char *node)
{
	char *path = blanket_xs_join(dir, node);
	int err;

	if (IS_ERR(path))
		return PTR_ERR(path);
	err = blanket_xs_talk_ack(xs, type, t, (const char *const *)&path, 1);
	kfree(path);
	return err;
}

/*
 * Read a value: a NUL-terminated kmalloc'd copy (the NUL is ours, not
 * counted in *@len). The value may itself contain NULs.
 */
void *blanket_xs_read(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		      const char *node, unsigned int *len)
{
	return blanket_xs_path_op(xs, XS_READ, t, dir, node, len);
}
EXPORT_SYMBOL_GPL(blanket_xs_read);

int blanket_xs_write(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node, const char *value)
{
	char *path = blanket_xs_join(dir, node);
	struct kvec iov[2];
	unsigned int len;
	char *reply;

	if (IS_ERR(path))
		return PTR_ERR(path);
	iov[0].iov_base = path;
	iov[0].iov_len = strlen(path) + 1;
	iov[1].iov_base = (void *)value;
	iov[1].iov_len = strlen(value);
	reply = blanket_xs_talk(xs, XS_WRITE, t, iov, ARRAY_SIZE(iov), &len);
	kfree(path);
	return blanket_xs_ack(xs, reply, len);
}
EXPORT_SYMBOL_GPL(blanket_xs_write);

int blanket_xs_mkdir(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node)
{
	return blanket_xs_path_ack(xs, XS_MKDIR, t, dir, node);
}
EXPORT_SYMBOL_GPL(blanket_xs_mkdir);

int blanket_xs_rm(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		  const char *node)
{
	return blanket_xs_path_ack(xs, XS_RM, t, dir, node);
}
EXPORT_SYMBOL_GPL(blanket_xs_rm);

/*
 * The children of a node, as one allocation: an array of *@num pointers
 * followed by the names. Free it with kfree(). Every name must be a valid
 * path component, or the whole reply is refused.
 */
char **blanket_xs_directory(struct blanket_xs *xs, blanket_xbt_t t,
			    const char *dir, const char *node,
			    unsigned int *num)
{
	unsigned int len;
	char *reply, *name;
	char **names;
	int n, i;

	reply = blanket_xs_path_op(xs, XS_DIRECTORY, t, dir, node, &len);
	if (IS_ERR(reply))
		return (char **)reply;

	n = blanket_xs_wire_names(reply, len);
	if (n < 0) {
		dev_err_ratelimited(xs->dev, "xenstore: malformed directory listing\n");
		kfree(reply);
		return ERR_PTR(n);
	}

	names = kmalloc(size_add(array_size(n, sizeof(*names)), len), GFP_KERNEL);
	if (!names) {
		kfree(reply);
		return ERR_PTR(-ENOMEM);
	}
	name = memcpy(names + n, reply, len);
	for (i = 0; i < n; i++, name += strlen(name) + 1)
		names[i] = name;
	kfree(reply);
	*num = n;
	return names;
}
EXPORT_SYMBOL_GPL(blanket_xs_directory);

int blanket_xs_printf(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		      const char *node, const char *fmt, ...)
{
	va_list ap;
	char *value;
	int err;

	va_start(ap, fmt);
	value = kvasprintf(GFP_KERNEL, fmt, ap);
	va_end(ap);
	if (!value)
		return -ENOMEM;
	err = blanket_xs_write(xs, t, dir, node, value);
	kfree(value);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_printf);

static __scanf(5, 0)
int blanket_xs_vscanf(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		      const char *node, const char *fmt, va_list ap)
{
	char *value;
	int n;

	value = blanket_xs_read(xs, t, dir, node, NULL);
	if (IS_ERR(value))
		return PTR_ERR(value);
	n = vsscanf(value, fmt, ap);
	kfree(value);
	return n ? n : -ERANGE;
}

/* Returns the number of values converted, or -ERANGE if none was. */
int blanket_xs_scanf(struct blanket_xs *xs, blanket_xbt_t t, const char *dir,
		     const char *node, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = blanket_xs_vscanf(xs, t, dir, node, fmt, ap);
	va_end(ap);
	return n;
}
EXPORT_SYMBOL_GPL(blanket_xs_scanf);

/*
 * Read several nodes of @dir: (name, scanf format, pointer) triples ending
 * with a NULL name. A NULL format stores the kmalloc'd string itself in
 * the char ** given. Stops at the first error.
 */
int blanket_xs_gather(struct blanket_xs *xs, blanket_xbt_t t,
		      const char *dir, ...)
{
	const char *name;
	va_list ap;
	int err = 0;

	va_start(ap, dir);
	while (!err && (name = va_arg(ap, const char *))) {
		const char *fmt = va_arg(ap, const char *);
		void *result = va_arg(ap, void *);
		char *value;

		value = blanket_xs_read(xs, t, dir, name, NULL);
		if (IS_ERR(value)) {
			err = PTR_ERR(value);
		} else if (!fmt) {
			*(char **)result = value;
		} else {
			if (sscanf(value, fmt, result) != 1)
				err = -EINVAL;
			kfree(value);
		}
	}
	va_end(ap);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_gather);

/* A decimal u32 and nothing else: "12abc", "" and "-1" are -EINVAL. */
int blanket_xs_read_u32(struct blanket_xs *xs, blanket_xbt_t t,
			const char *dir, const char *node, u32 *val)
{
	char *value;
	int err;

	value = blanket_xs_read(xs, t, dir, node, NULL);
	if (IS_ERR(value))
		return PTR_ERR(value);
	err = kstrtou32(value, 10, val) ? -EINVAL : 0;
	kfree(value);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_read_u32);

/*
 * A feature flag: "0" or "1", @dflt when the node does not exist, and
 * -EINVAL for anything else (a backend that says "yes" is not obeyed).
 */
int blanket_xs_read_bool(struct blanket_xs *xs, blanket_xbt_t t,
			 const char *dir, const char *node, bool dflt,
			 bool *val)
{
	u32 v;
	int err = blanket_xs_read_u32(xs, t, dir, node, &v);

	if (err == -ENOENT) {
		*val = dflt;
		return 0;
	}
	if (!err && v > 1)
		err = -EINVAL;
	if (!err)
		*val = v;
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_read_bool);

int blanket_xs_transaction_start(struct blanket_xs *xs, blanket_xbt_t *t)
{
	static const char *const empty[] = { "" };
	unsigned int len;
	char *reply;
	int err;

	reply = blanket_xs_talk_strings(xs, XS_TRANSACTION_START, BLANKET_XBT_NIL,
					empty, 1, &len);
	if (IS_ERR(reply))
		return PTR_ERR(reply);
	err = blanket_xs_wire_u32(reply, len, t);
	/* Id 0 means "no transaction": xenstored never hands it out. */
	if (!err && *t == BLANKET_XBT_NIL)
		err = -EPROTO;
	if (err) {
		dev_err_ratelimited(xs->dev, "xenstore: malformed transaction id\n");
	} else {
		spin_lock(&xs->lock);
		xs->transactions++;
		spin_unlock(&xs->lock);
	}
	kfree(reply);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_transaction_start);

/*
 * -EAGAIN means the transaction conflicted: start again from the top.
 * Whatever the outcome, the transaction is over.
 */
int blanket_xs_transaction_end(struct blanket_xs *xs, blanket_xbt_t t,
			       bool abort)
{
	const char *const commit[] = { abort ? "F" : "T" };
	int err = blanket_xs_talk_ack(xs, XS_TRANSACTION_END, t, commit, 1);

	spin_lock(&xs->lock);
	if (!WARN_ON_ONCE(!xs->transactions))
		xs->transactions--;
	spin_unlock(&xs->lock);
	if (READ_ONCE(xs->suspended))
		wake_up_all(&xs->suspend_wq);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_transaction_end);

/*
 * Run @fn in a transaction, starting over while the end says -EAGAIN
 * (another writer got in first), at most BLANKET_XS_TRANSACTION_TRIES
 * times. An error from @fn aborts the transaction and is returned.
 */
int blanket_xs_transact(struct blanket_xs *xs,
			int (*fn)(struct blanket_xs *xs, blanket_xbt_t t, void *ctx),
			void *ctx)
{
	unsigned int generation;
	int err, tries = 0;
	blanket_xbt_t t;

	do {
		generation = READ_ONCE(xs->generation);
		err = blanket_xs_transaction_start(xs, &t);
		if (err)
			return err;
		err = fn(xs, t, ctx);
		if (err)
			blanket_xs_transaction_end(xs, t, true);
		else
			err = blanket_xs_transaction_end(xs, t, false);
		/* xenstored went with an unasked restore, and the transaction with it. */
		if (err && generation != READ_ONCE(xs->generation))
			err = -EAGAIN;
		else if (err && err != -EAGAIN)
			return err;
	} while (err == -EAGAIN && ++tries < BLANKET_XS_TRANSACTION_TRIES);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_transact);

static int blanket_xs_watch_op(struct blanket_xs *xs, u32 type,
			       const char *path, u32 id)
{
	char token[12];
	const char *const strs[] = { path, token };

	snprintf(token, sizeof(token), "%u", id);
	return blanket_xs_talk_ack(xs, type, BLANKET_XBT_NIL, strs, 2);
}

/*
 * Watch @path. xenstored fires the watch once when it is set, so the
 * callback also sees the state as it was at registration.
 */
int blanket_xs_watch(struct blanket_xs *xs, struct blanket_xs_watch *watch,
		     const char *path, blanket_xs_watch_fn callback)
{
	int err;

	if (blanket_xs_wire_path_valid(path))
		return -EINVAL;
	watch->path = kstrdup(path, GFP_KERNEL);
	if (!watch->path)
		return -ENOMEM;
	watch->callback = callback;
	INIT_LIST_HEAD(&watch->rescan);

	/* Listed before it is set: the first event can beat the reply. */
	mutex_lock(&xs->watch_lock);
	watch->id = xs->next_watch_id++;
	list_add_tail(&watch->list, &xs->watches);
	mutex_unlock(&xs->watch_lock);

	err = blanket_xs_watch_op(xs, XS_WATCH, watch->path, watch->id);
	/*
	 * Our tokens are never reused: a watch set already was set for us,
	 * by the rewatch of a restore that came while this one was held.
	 */
	if (err == -EEXIST)
		err = 0;
	if (err)
		blanket_xs_unwatch(xs, watch);
	return err;
}
EXPORT_SYMBOL_GPL(blanket_xs_watch);

void blanket_xs_unwatch(struct blanket_xs *xs, struct blanket_xs_watch *watch)
{
	struct blanket_xs_event *ev, *tmp;
	LIST_HEAD(stale);

	/* After this no new event for the watch is queued. */
	mutex_lock(&xs->watch_lock);
	list_del(&watch->list);
	mutex_unlock(&xs->watch_lock);

	/* Best effort: on a broken connection there is nobody to tell. */
	if (!blanket_xs_broken(xs))
		blanket_xs_watch_op(xs, XS_UNWATCH, watch->path, watch->id);

	spin_lock(&xs->lock);
	list_del_init(&watch->rescan);
	list_for_each_entry_safe(ev, tmp, &xs->events, list) {
		if (ev->watch != watch)
			continue;
		list_move(&ev->list, &stale);
		xs->nr_events--;
	}
	spin_unlock(&xs->lock);
	list_for_each_entry_safe(ev, tmp, &stale, list)
		kfree(ev);

	/*
	 * Wait out this watch's callback in flight, unless we are that
	 * callback. Another watch's callback is no business of ours: the
	 * bus's may be removing a device whose lock our caller holds.
	 */
	if (READ_ONCE(xs->callback_task) != current)
		wait_event(xs->callback_wq, READ_ONCE(xs->running) != watch);
	kfree(watch->path);
	watch->path = NULL;
}
EXPORT_SYMBOL_GPL(blanket_xs_unwatch);

/*
 * Queue @path for @watch's callback. An event for the watched node itself
 * asks for a look at everything below it, a rescan, and any number of
 * those waiting is one. So is what does not fit: past
 * BLANKET_XS_EVENTS_MAX queued, or with no memory for it, an event is
 * dropped, counted, and its watch rescanned instead. L0 cannot make us
 * hold an unbounded backlog, and nothing it told us is lost.
 */
static void blanket_xs_queue_watch(struct blanket_xs *xs,
				   struct blanket_xs_watch *watch,
				   const char *path)
{
	bool root = !strcmp(path, watch->path);
	struct blanket_xs_event *ev = NULL;

	/* Only we add to the queue: it cannot grow behind our back. */
	if (!root && READ_ONCE(xs->nr_events) < BLANKET_XS_EVENTS_MAX)
		ev = kmalloc(struct_size(ev, path, strlen(path) + 1), GFP_KERNEL);

	spin_lock(&xs->lock);
	xs->stats.watch_events++;
	if (ev) {
		ev->watch = watch;
		strcpy(ev->path, path);
		list_add_tail(&ev->list, &xs->events);
		xs->nr_events++;
	} else {
		if (!root)
			xs->stats.watch_overflow++;
		if (list_empty(&watch->rescan))
			list_add_tail(&watch->rescan, &xs->rescans);
	}
	spin_unlock(&xs->lock);
	queue_work(xs->wq, &xs->watch_work);
}

static void blanket_xs_queue_event(struct blanket_xs *xs, const char *body,
				   u32 len)
{
	struct blanket_xs_watch *watch;
	const char *path, *token;
	bool queued = false;
	u32 id;

	if (blanket_xs_wire_watch_event(body, len, &path, &token) ||
	    kstrtou32(token, 10, &id)) {
		dev_err_ratelimited(xs->dev, "xenstore: malformed watch event dropped\n");
		goto dropped;
	}

	mutex_lock(&xs->watch_lock);
	list_for_each_entry(watch, &xs->watches, list) {
		if (watch->id != id)
			continue;
		/* An event outside the watched subtree is not ours to believe. */
		queued = blanket_xs_wire_path_under(path, watch->path);
		if (queued)
			blanket_xs_queue_watch(xs, watch, path);
		break;
	}
	mutex_unlock(&xs->watch_lock);
	if (queued)
		return;
dropped:
	spin_lock(&xs->lock);
	xs->stats.watch_dropped++;
	spin_unlock(&xs->lock);
}

static void blanket_xs_watch_work(struct work_struct *work)
{
	struct blanket_xs *xs = container_of(work, struct blanket_xs, watch_work);
	struct blanket_xs_watch *watch;
	struct blanket_xs_event *ev;
	const char *path;

	for (;;) {
		/* Events first, then rescans, which see the state after them. */
		spin_lock(&xs->lock);
		ev = list_first_entry_or_null(&xs->events, struct blanket_xs_event,
					      list);
		if (ev) {
			list_del(&ev->list);
			xs->nr_events--;
			watch = ev->watch;
		} else {
			watch = list_first_entry_or_null(&xs->rescans,
							 struct blanket_xs_watch,
							 rescan);
			if (watch)
				list_del_init(&watch->rescan);
		}
		/* Running from the moment it leaves the queue, for unwatch. */
		WRITE_ONCE(xs->running, watch);
		spin_unlock(&xs->lock);
		if (!watch)
			return;
		/* A copy: the callback may unwatch, which frees watch->path. */
		if (!ev)
			strscpy(xs->rescan_path, watch->path, XENSTORE_ABS_PATH_MAX + 1);
		path = ev ? ev->path : xs->rescan_path;
		WRITE_ONCE(xs->callback_task, current);
		watch->callback(watch, path);
		WRITE_ONCE(xs->callback_task, NULL);
		WRITE_ONCE(xs->running, NULL);
		wake_up_all(&xs->callback_wq);
		kfree(ev);
	}
}

/* Hand a complete reply to the request waiting for it. */
static void blanket_xs_answer(struct blanket_xs *xs)
{
	const struct xsd_sockmsg *hdr = &xs->in_hdr;
	struct blanket_xs_req *req;
	char *body;

	body = kmemdup(xs->in_body, hdr->len + 1, GFP_KERNEL);

	spin_lock(&xs->lock);
	list_for_each_entry(req, &xs->pending, list) {
		if (req->req_id != hdr->req_id)
			continue;
		list_del_init(&req->list);
		req->reply_type = hdr->type;
		req->body = body;
		req->len = hdr->len;
		req->err = body ? 0 : -ENOMEM;
		complete(&req->done);
		spin_unlock(&xs->lock);
		return;
	}
	xs->stats.unmatched++;
	spin_unlock(&xs->lock);

	kfree(body);
	dev_warn_ratelimited(xs->dev, "xenstore: reply to unknown request %u dropped\n",
			     hdr->req_id);
}

/*
 * Read from the reply ring into @buf until the message read so far
 * reaches @upto bytes. False if the ring ran dry first, or broke.
 */
static bool blanket_xs_fill(struct blanket_xs *xs, void *buf, u32 upto,
			    bool *consumed)
{
	int n = blanket_xs_ring_read(&xs->ring, buf, upto - xs->in_have);

	if (n < 0) {
		blanket_xs_break(xs, "reply ring index out of range", n);
		return false;
	}
	if (n)
		*consumed = true;
	xs->in_have += n;
	return xs->in_have == upto;
}

static void blanket_xs_read_work(struct work_struct *work)
{
	struct blanket_xs *xs = container_of(work, struct blanket_xs, read_work);
	const u32 hdr_len = sizeof(xs->in_hdr);
	unsigned int batch = BLANKET_XS_READ_BATCH;
	bool consumed = false;
	int err;

	while (!blanket_xs_broken(xs)) {
		/* L0 may keep the ring full for ever: make way, then go on. */
		if (!batch--) {
			queue_work(system_wq, &xs->read_work);
			break;
		}
		if (xs->in_have < hdr_len) {
			if (!blanket_xs_fill(xs, (char *)&xs->in_hdr + xs->in_have,
					     hdr_len, &consumed))
				break;
			err = blanket_xs_wire_check_header(&xs->in_hdr);
			if (err) {
				blanket_xs_break(xs, "malformed reply header", err);
				break;
			}
		}
		if (!blanket_xs_fill(xs, xs->in_body + xs->in_have - hdr_len,
				     hdr_len + xs->in_hdr.len, &consumed))
			break;

		/* Our terminator: a body L0 left unterminated stays contained. */
		xs->in_body[xs->in_hdr.len] = '\0';
		if (xs->in_hdr.type == XS_WATCH_EVENT)
			blanket_xs_queue_event(xs, xs->in_body, xs->in_hdr.len);
		else
			blanket_xs_answer(xs);
		xs->in_have = 0;
	}

	/* Room in the reply ring may be what xenstored is waiting for. */
	if (consumed)
		xs->notify(xs->notify_ctx);
}

/* The peer kicked us: replies to read, or room to write. Any context. */
void blanket_xs_event(struct blanket_xs *xs)
{
	queue_work(system_wq, &xs->read_work);
	wake_up_all(&xs->ring_wq);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_event);

/* Requests that waited for L0 to restore us go. */
static void blanket_xs_release(struct blanket_xs *xs)
{
	spin_lock(&xs->lock);
	xs->suspended = false;
	spin_unlock(&xs->lock);
	wake_up_all(&xs->suspend_wq);
}

/*
 * L0 is about to save our machine. Requests outside transactions are held
 * from now on, and we wait for those in flight and for every open
 * transaction: nothing of ours may be on the ring across a restore, which
 * connects it to another xenstored. -EBUSY if they did not finish within
 * the request timeout; then nothing is held.
 */
int blanket_xs_suspend(struct blanket_xs *xs)
{
	spin_lock(&xs->lock);
	xs->suspended = true;
	spin_unlock(&xs->lock);
	if (wait_event_timeout(xs->suspend_wq, blanket_xs_quiet(xs), xs->timeout))
		return 0;
	blanket_xs_release(xs);
	return -EBUSY;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_suspend);

/*
 * L0 restored our machine without asking: the xenstored our requests went
 * to is gone, and another serves the ring. Requests outside transactions
 * are held as for a save, and those left unanswered are sent again once
 * released; in a transaction they fail with -EAGAIN, the transaction gone
 * too (blanket_xs_transact() starts it again). blanket_xs_reset() and
 * blanket_xs_resume() follow, as after any restore.
 */
void blanket_xs_lose(struct blanket_xs *xs)
{
	spin_lock(&xs->lock);
	xs->suspended = true;
	WRITE_ONCE(xs->generation, xs->generation + 1);
	blanket_xs_end_pending(xs, -EAGAIN);
	spin_unlock(&xs->lock);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_lose);

/*
 * Set the first listed watch from id *@next on again, as resume_task, and
 * move *@next past it; -ENOENT if there is none. The list is in id order.
 * A held request may list a watch meanwhile: its own XS_WATCH then finds
 * it set.
 */
static int blanket_xs_rewatch_next(struct blanket_xs *xs, u64 *next)
{
	struct blanket_xs_watch *watch;
	char *path = NULL;
	int err = 0;
	u32 id;

	mutex_lock(&xs->watch_lock);
	list_for_each_entry(watch, &xs->watches, list) {
		if (watch->id < *next)
			continue;
		id = watch->id;
		path = kstrdup(watch->path, GFP_KERNEL);
		err = path ? 0 : -ENOMEM;
		break;
	}
	mutex_unlock(&xs->watch_lock);
	if (!path)
		return err ?: -ENOENT;
	/* Not under watch_lock: the reader takes it for the event this fires. */
	err = blanket_xs_watch_op(xs, XS_WATCH, path, id);
	kfree(path);
	*next = (u64)id + 1;
	return err;
}

/*
 * L0 restored our machine, and a new xenstored serves the ring: a message
 * half read is gone, and the indexes are the page's. Before the owner
 * listens to the ring's new port, and while suspended.
 */
void blanket_xs_reset(struct blanket_xs *xs)
{
	cancel_work_sync(&xs->read_work);
	/* After an unasked restore a writer may be half way through a request. */
	mutex_lock(&xs->write_lock);
	blanket_xs_ring_init(&xs->ring, xs->ring.intf);
	mutex_unlock(&xs->write_lock);
	xs->in_have = 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_reset);

/*
 * L0 restored our machine (@restored, the ring reset) or cancelled its
 * save. The new xenstored knows none of our watches: we set them again,
 * and each fires once, so that its callback sees the state now. An error
 * if one could not be set: the connection is broken then.
 */
int blanket_xs_resume(struct blanket_xs *xs, bool restored)
{
	u64 next = 0;
	int err = 0;

	if (restored) {
		WRITE_ONCE(xs->resume_task, current);
		do {
			err = blanket_xs_rewatch_next(xs, &next);
		} while (!err);
		WRITE_ONCE(xs->resume_task, NULL);
		if (err == -ENOENT)
			err = 0;
		else
			blanket_xs_break(xs, "a watch could not be set again", err);
	}
	blanket_xs_release(xs);
	return err;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_resume);

int blanket_xs_init(struct blanket_xs *xs, struct xenstore_domain_interface *intf,
		    void (*notify)(void *ctx), void *notify_ctx,
		    struct device *dev, unsigned int timeout_ms)
{
	memset(xs, 0, sizeof(*xs));
	xs->in_body = kmalloc(XENSTORE_PAYLOAD_MAX + 1, GFP_KERNEL);
	xs->rescan_path = kmalloc(XENSTORE_ABS_PATH_MAX + 1, GFP_KERNEL);
	xs->wq = alloc_ordered_workqueue("blanket_xs_watch", 0);
	if (!xs->in_body || !xs->rescan_path || !xs->wq) {
		if (xs->wq)
			destroy_workqueue(xs->wq);
		kfree(xs->rescan_path);
		kfree(xs->in_body);
		return -ENOMEM;
	}

	blanket_xs_ring_init(&xs->ring, intf);
	xs->notify = notify;
	xs->notify_ctx = notify_ctx;
	xs->dev = dev;
	/* 0 would time every request out before its reply could come. */
	xs->timeout = max(msecs_to_jiffies(timeout_ms), 1UL);
	mutex_init(&xs->write_lock);
	init_waitqueue_head(&xs->ring_wq);
	init_waitqueue_head(&xs->suspend_wq);
	spin_lock_init(&xs->lock);
	INIT_LIST_HEAD(&xs->pending);
	xs->next_req_id = 1;
	INIT_WORK(&xs->read_work, blanket_xs_read_work);
	mutex_init(&xs->watch_lock);
	INIT_LIST_HEAD(&xs->watches);
	INIT_LIST_HEAD(&xs->events);
	INIT_LIST_HEAD(&xs->rescans);
	INIT_WORK(&xs->watch_work, blanket_xs_watch_work);
	init_waitqueue_head(&xs->callback_wq);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_init);

/* All watches must be gone; requests still waiting fail with -EIO. */
void blanket_xs_destroy(struct blanket_xs *xs)
{
	struct blanket_xs_event *ev, *tmp;

	WARN_ON(!list_empty(&xs->watches));
	blanket_xs_stop(xs);
	cancel_work_sync(&xs->read_work);
	destroy_workqueue(xs->wq);
	list_for_each_entry_safe(ev, tmp, &xs->events, list)
		kfree(ev);
	kfree(xs->rescan_path);
	kfree(xs->in_body);
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_destroy);
