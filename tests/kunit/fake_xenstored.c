// SPDX-License-Identifier: GPL-2.0
/*
 * The fake xenstored. It runs synchronously inside the client's notify
 * callback: consume whole requests from the request ring, answer them
 * into an output queue, push as much of the queue as fits into the reply
 * ring, and kick the client. Transactions are accepted but not isolated;
 * what the client does with their ids and EAGAIN is what is under test.
 */

#include <linux/delay.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <blanket/ring.h>
#include "blanket_xenbus/xs_wire.h"
#include "fake_xenstored.h"

struct fake_node {
	struct list_head list;
	char *path;
	char *value;
};

struct fake_watch {
	struct list_head list;
	char *path;
	char *token;
};

static struct fake_node *fake_find(struct fake_xenstored *f, const char *path)
{
	struct fake_node *node;

	list_for_each_entry(node, &f->nodes, list)
		if (!strcmp(node->path, path))
			return node;
	return NULL;
}

/* Queue one message for the reply ring. */
static void fake_queue(struct fake_xenstored *f, u32 type, u32 req_id,
		       const void *body, u32 len)
{
	struct xsd_sockmsg hdr = { .type = type, .req_id = req_id, .len = len };
	char *out = krealloc(f->out, f->out_len + sizeof(hdr) + len, GFP_KERNEL);

	if (!out)
		return;
	memcpy(out + f->out_len, &hdr, sizeof(hdr));
	memcpy(out + f->out_len + sizeof(hdr), body, len);
	f->out = out;
	f->out_len += sizeof(hdr) + len;
}

/* An XS_WATCH_EVENT: "path\0token\0". */
static void fake_event(struct fake_xenstored *f, const char *path,
		       const char *token)
{
	char *ev = kasprintf(GFP_KERNEL, "%s%c%s", path, 0, token);

	if (ev)
		fake_queue(f, XS_WATCH_EVENT, 0, ev,
			   strlen(path) + strlen(token) + 2);
	kfree(ev);
}

static void fake_fire(struct fake_xenstored *f, const char *path)
{
	struct fake_watch *w;

	list_for_each_entry(w, &f->watches, list)
		if (blanket_xs_wire_path_under(path, w->path))
			fake_event(f, path, w->token);
}

/* The node at @path, created empty with any missing parents if need be. */
static struct fake_node *fake_create(struct fake_xenstored *f, const char *path)
{
	struct fake_node *node = fake_find(f, path);
	char *parent, *slash;

	if (node)
		return node;
	parent = kstrdup(path, GFP_KERNEL);
	slash = parent ? strrchr(parent, '/') : NULL;
	if (slash) {
		*slash = '\0';
		fake_create(f, parent);
	}
	kfree(parent);
	node = kzalloc(sizeof(*node), GFP_KERNEL);
	if (!node)
		return NULL;
	node->path = kstrdup(path, GFP_KERNEL);
	node->value = kstrdup("", GFP_KERNEL);
	list_add_tail(&node->list, &f->nodes);
	return node;
}

/* Like xenstored, fire watches for the node written, not for new parents. */
static int fake_write_node(struct fake_xenstored *f, const char *path,
			   const char *value, size_t len)
{
	struct fake_node *node = fake_create(f, path);

	if (!node)
		return -ENOMEM;
	kfree(node->value);
	node->value = kmemdup_nul(value, len, GFP_KERNEL);
	fake_fire(f, path);
	return 0;
}

static void fake_rm(struct fake_xenstored *f, const char *path)
{
	struct fake_node *node, *tmp;
	struct fake_watch *w;

	list_for_each_entry_safe(node, tmp, &f->nodes, list) {
		if (!blanket_xs_wire_path_under(node->path, path))
			continue;
		list_del(&node->list);
		kfree(node->path);
		kfree(node->value);
		kfree(node);
	}
	fake_fire(f, path);
	/* Like xenstored, a watch below the removed node fires with its own path. */
	list_for_each_entry(w, &f->watches, list)
		if (strcmp(w->path, path) && blanket_xs_wire_path_under(w->path, path))
			fake_event(f, w->path, w->token);
}

static void fake_directory(struct fake_xenstored *f, u32 req_id,
			   const char *path, enum fake_xs_fault fault)
{
	size_t plen = strlen(path), len = 0;
	struct fake_node *node;
	char *buf = kzalloc(XENSTORE_PAYLOAD_MAX, GFP_KERNEL);

	if (!buf)
		return;
	list_for_each_entry(node, &f->nodes, list) {
		const char *name = node->path + plen + 1;

		if (strncmp(node->path, path, plen) || node->path[plen] != '/' ||
		    strchr(name, '/') || len + strlen(name) + 1 > XENSTORE_PAYLOAD_MAX)
			continue;
		strcpy(buf + len, name);
		len += strlen(name) + 1;
	}
	if (fault == FAKE_XS_BAD_NAME) {
		strcpy(buf + len, "..");
		len += 3;
	}
	if (fault == FAKE_XS_UNTERMINATED && len)
		len--;
	fake_queue(f, XS_DIRECTORY, req_id, buf, len);
	kfree(buf);
}

static void fake_reply(struct fake_xenstored *f, u32 type, u32 req_id,
		       const char *str)
{
	fake_queue(f, type, req_id, str, strlen(str) + 1);
}

static void fake_error(struct fake_xenstored *f, u32 req_id, const char *err)
{
	fake_reply(f, XS_ERROR, req_id, err);
}

static void fake_transaction_start(struct fake_xenstored *f, u32 req_id,
				   enum fake_xs_fault fault)
{
	char txid[12];

	if (fault == FAKE_XS_BAD_TXID) {
		fake_reply(f, XS_TRANSACTION_START, req_id, "abc");
	} else if (fault == FAKE_XS_UNTERMINATED) {
		fake_queue(f, XS_TRANSACTION_START, req_id, "7", 1);
	} else {
		snprintf(txid, sizeof(txid), "%u", ++f->next_tx);
		fake_reply(f, XS_TRANSACTION_START, req_id, txid);
	}
}

static void fake_watch(struct fake_xenstored *f, u32 req_id, const char *path,
		       const char *token)
{
	struct fake_watch *w;

	/* As xenstored: the same path and token twice is an error. */
	list_for_each_entry(w, &f->watches, list) {
		if (!strcmp(w->path, path) && !strcmp(w->token, token)) {
			fake_error(f, req_id, "EEXIST");
			return;
		}
	}
	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return;
	w->path = kstrdup(path, GFP_KERNEL);
	w->token = kstrdup(token, GFP_KERNEL);
	list_add_tail(&w->list, &f->watches);
	fake_reply(f, XS_WATCH, req_id, "OK");
	/* xenstored fires a new watch once, at once. */
	fake_fire(f, path);
}

static void fake_unwatch(struct fake_xenstored *f, u32 req_id,
			 const char *path, const char *token)
{
	struct fake_watch *w;

	list_for_each_entry(w, &f->watches, list) {
		if (strcmp(w->path, path) || strcmp(w->token, token))
			continue;
		list_del(&w->list);
		kfree(w->path);
		kfree(w->token);
		kfree(w);
		break;
	}
	fake_reply(f, XS_UNWATCH, req_id, "OK");
}

/* Answer one whole request from the client, honestly. */
static void fake_answer(struct fake_xenstored *f, const struct xsd_sockmsg *hdr,
			const char *body, enum fake_xs_fault fault)
{
	const char *arg2 = body + strnlen(body, hdr->len) + 1;
	size_t arg2_len = hdr->len ? body + hdr->len - arg2 : 0;
	struct fake_node *node;

	switch (hdr->type) {
	case XS_READ:
		node = fake_find(f, body);
		if (!node)
			fake_error(f, hdr->req_id, "ENOENT");
		else
			fake_queue(f, XS_READ, hdr->req_id, node->value,
				   strlen(node->value));
		break;
	case XS_WRITE:
		fake_write_node(f, body, arg2, arg2_len);
		fake_reply(f, XS_WRITE, hdr->req_id, "OK");
		break;
	case XS_MKDIR:
		if (!fake_find(f, body))
			fake_write_node(f, body, "", 0);
		fake_reply(f, XS_MKDIR, hdr->req_id, "OK");
		break;
	case XS_RM:
		if (!fake_find(f, body)) {
			fake_error(f, hdr->req_id, "ENOENT");
			break;
		}
		fake_rm(f, body);
		fake_reply(f, XS_RM, hdr->req_id, "OK");
		break;
	case XS_DIRECTORY:
		fake_directory(f, hdr->req_id, body, fault);
		break;
	case XS_TRANSACTION_START:
		fake_transaction_start(f, hdr->req_id, fault);
		break;
	case XS_TRANSACTION_END:
		if (f->eagain > 0) {
			f->eagain--;
			fake_error(f, hdr->req_id, "EAGAIN");
		} else {
			fake_reply(f, hdr->type, hdr->req_id, "OK");
		}
		break;
	case XS_WATCH:
		fake_watch(f, hdr->req_id, body, arg2);
		break;
	case XS_UNWATCH:
		fake_unwatch(f, hdr->req_id, body, arg2);
		break;
	default:
		fake_error(f, hdr->req_id, "ENOSYS");
	}
}

/* Answer a request, or misbehave as @fault says. */
static void fake_handle(struct fake_xenstored *f, const struct xsd_sockmsg *hdr,
			const char *body, enum fake_xs_fault fault)
{
	size_t before = f->out_len;
	struct xsd_sockmsg *reply;

	f->requests++;
	switch (fault) {
	case FAKE_XS_SILENT:
		return;
	case FAKE_XS_ERROR:
		fake_error(f, hdr->req_id, "EACCES");
		return;
	case FAKE_XS_WRONG_TYPE:
		fake_reply(f, hdr->type == XS_READ ? XS_WRITE : XS_READ,
			   hdr->req_id, "OK");
		return;
	case FAKE_XS_BAD_TOKEN:
		/* Unsolicited events ahead of the honest reply. */
		fake_event(f, "device", "999");
		break;
	case FAKE_XS_OUTSIDE_PATH:
		fake_event(f, "elsewhere", "0");
		break;
	default:
		break;
	}
	fake_answer(f, hdr, body, fault);

	if (f->out_len == before)
		return;
	reply = (struct xsd_sockmsg *)(f->out + before);
	if (fault == FAKE_XS_OVERSIZE)
		reply->len = XENSTORE_PAYLOAD_MAX + 1;
	else if (fault == FAKE_XS_UNKNOWN_TYPE)
		reply->type = XS_TYPE_COUNT + 5;
	else if (fault == FAKE_XS_WRONG_REQ_ID)
		reply->req_id += 1000;
	else if (fault == FAKE_XS_BAD_INDEX)
		f->bad_index = true;
}

static void fake_consume(struct fake_xenstored *f)
{
	struct xenstore_domain_interface *intf = f->intf;
	const u32 hdr_len = sizeof(struct xsd_sockmsg);
	struct xsd_sockmsg *hdr = (struct xsd_sockmsg *)f->in;

	while (intf->req_prod != intf->req_cons) {
		u32 want = f->in_have < hdr_len ? hdr_len - f->in_have :
			   hdr_len + hdr->len - f->in_have;
		u32 n = min(want, blanket_ring_used(intf->req_prod, intf->req_cons));

		n = min(n, blanket_ring_chunk(intf->req_cons, n, XENSTORE_RING_SIZE));
		memcpy(f->in + f->in_have,
		       intf->req + MASK_XENSTORE_IDX(intf->req_cons), n);
		intf->req_cons += n;
		f->in_have += n;
		if (f->in_have < hdr_len || f->in_have < hdr_len + hdr->len)
			continue;
		/* Whole: answer it, NUL-terminated for our own parsing. */
		if (hdr->len < XENSTORE_PAYLOAD_MAX) {
			enum fake_xs_fault fault = f->fault;

			/* Faults are one-shot, but silence lasts. */
			if (fault != FAKE_XS_SILENT)
				f->fault = FAKE_XS_NONE;
			f->in[hdr_len + hdr->len] = '\0';
			fake_handle(f, hdr, f->in + hdr_len, fault);
		}
		f->in_have = 0;
	}
}

/* Push queued output into the reply ring. Returns whether any went. */
static bool fake_flush(struct fake_xenstored *f)
{
	struct xenstore_domain_interface *intf = f->intf;
	size_t done = 0;

	if (f->bad_index) {
		intf->rsp_prod = intf->rsp_cons + XENSTORE_RING_SIZE + 1;
		return true;
	}
	while (done < f->out_len) {
		u32 room = blanket_ring_space(intf->rsp_prod, intf->rsp_cons,
					     XENSTORE_RING_SIZE);
		u32 n = min_t(size_t, f->out_len - done, room);

		if (!n)
			break;
		n = blanket_ring_chunk(intf->rsp_prod, n, XENSTORE_RING_SIZE);
		memcpy(intf->rsp + MASK_XENSTORE_IDX(intf->rsp_prod),
		       f->out + done, n);
		intf->rsp_prod += n;
		done += n;
	}
	memmove(f->out, f->out + done, f->out_len - done);
	f->out_len -= done;
	return done;
}

/* The client's notify: L0's side of an event channel kick. */
static void fake_kick(void *ctx)
{
	struct fake_xenstored *f = ctx;
	bool sent;

	mutex_lock(&f->lock);
	fake_consume(f);
	sent = fake_flush(f);
	mutex_unlock(&f->lock);
	if (sent)
		blanket_xs_event(f->xs);
}

/* L0's Dom0 writing a node itself (a backend changing state, say). */
int fake_xenstored_set(struct fake_xenstored *f, const char *path,
		       const char *value)
{
	int err;

	mutex_lock(&f->lock);
	err = fake_write_node(f, path, value, strlen(value));
	mutex_unlock(&f->lock);
	fake_kick(f);
	return err;
}
EXPORT_SYMBOL_GPL(fake_xenstored_set);

int fake_xenstored_rm(struct fake_xenstored *f, const char *path)
{
	int err = 0;

	mutex_lock(&f->lock);
	if (fake_find(f, path))
		fake_rm(f, path);
	else
		err = -ENOENT;
	mutex_unlock(&f->lock);
	fake_kick(f);
	return err;
}
EXPORT_SYMBOL_GPL(fake_xenstored_rm);

/* A copy of a node's value (what the client wrote), or NULL. */
char *fake_xenstored_get(struct fake_xenstored *f, const char *path)
{
	struct fake_node *node;
	char *value = NULL;

	mutex_lock(&f->lock);
	node = fake_find(f, path);
	if (node)
		value = kstrdup(node->value, GFP_KERNEL);
	mutex_unlock(&f->lock);
	return value;
}
EXPORT_SYMBOL_GPL(fake_xenstored_get);

/*
 * Whether the node at @path reads @value within a few seconds. Polled, not
 * settled: the client may hold a lock its watch callbacks wait for.
 */
bool fake_xenstored_reaches(struct fake_xenstored *f, const char *path,
			    const char *value)
{
	bool is;
	int i;

	for (i = 0; i < 250; i++) {
		char *now = fake_xenstored_get(f, path);

		is = now && !strcmp(now, value);
		kfree(now);
		if (is)
			return true;
		msleep(20);
	}
	return false;
}
EXPORT_SYMBOL_GPL(fake_xenstored_reaches);

/* Wait until every reply and watch event sent so far has been handled. */
void fake_xenstored_settle(struct fake_xenstored *f)
{
	int i;
	bool idle;

	for (i = 0; i < 50; i++) {
		flush_work(&f->xs->read_work);
		flush_workqueue(f->xs->wq);
		spin_lock(&f->xs->lock);
		idle = list_empty(&f->xs->events);
		spin_unlock(&f->xs->lock);
		if (idle && !work_pending(&f->xs->read_work))
			return;
	}
}
EXPORT_SYMBOL_GPL(fake_xenstored_settle);

/*
 * A test that caught the client deadlocked: its threads never return, so
 * tearing it down would hang the whole run. Leak it instead; the test has
 * failed already.
 */
void fake_xenstored_abandon(struct fake_xenstored *f)
{
	f->abandoned = true;
}
EXPORT_SYMBOL_GPL(fake_xenstored_abandon);

static void fake_forget_watches(struct fake_xenstored *f)
{
	struct fake_watch *w, *wtmp;

	list_for_each_entry_safe(w, wtmp, &f->watches, list) {
		list_del(&w->list);
		kfree(w->path);
		kfree(w->token);
		kfree(w);
	}
}

/*
 * L0 restored the machine, with another xenstored on the ring: the page is
 * cleared and nothing of the connection is left, watches included. The
 * tree stays, as the toolstack wrote it again.
 */
void fake_xenstored_restore(struct fake_xenstored *f)
{
	mutex_lock(&f->lock);
	memset(f->intf, 0, sizeof(*f->intf));
	f->in_have = 0;
	f->out_len = 0;
	fake_forget_watches(f);
	mutex_unlock(&f->lock);
}
EXPORT_SYMBOL_GPL(fake_xenstored_restore);

/* How many watches the fake holds for the client. */
unsigned int fake_xenstored_watches(struct fake_xenstored *f)
{
	struct fake_watch *w;
	unsigned int n = 0;

	mutex_lock(&f->lock);
	list_for_each_entry(w, &f->watches, list)
		n++;
	mutex_unlock(&f->lock);
	return n;
}
EXPORT_SYMBOL_GPL(fake_xenstored_watches);

static void fake_xenstored_free(struct kunit_resource *res)
{
	struct fake_xenstored *f = res->data;
	struct fake_node *node, *ntmp;

	if (f->abandoned)
		return;
	blanket_xs_destroy(f->xs);
	list_for_each_entry_safe(node, ntmp, &f->nodes, list) {
		kfree(node->path);
		kfree(node->value);
		kfree(node);
	}
	fake_forget_watches(f);
	kfree(f->out);
	kfree(f->intf);
	kfree(f);
}

struct fake_xenstored_args {
	struct blanket_xs *xs;
	unsigned int timeout_ms;
};

static int fake_xenstored_init(struct kunit_resource *res, void *context)
{
	struct fake_xenstored_args *args = context;
	struct fake_xenstored *f;
	int err;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->intf = kzalloc(sizeof(*f->intf), GFP_KERNEL);
	if (!f->intf) {
		kfree(f);
		return -ENOMEM;
	}
	mutex_init(&f->lock);
	INIT_LIST_HEAD(&f->nodes);
	INIT_LIST_HEAD(&f->watches);
	f->xs = args->xs ?: &f->own_xs;
	err = blanket_xs_init(f->xs, f->intf, fake_kick, f, NULL,
			      args->timeout_ms);
	if (err) {
		kfree(f->intf);
		kfree(f);
		return err;
	}
	res->data = f;
	return 0;
}

/*
 * A connected client and its fake xenstored, torn down with the test.
 * The client is @xs if given (one embedded in a fake L0), else the fake's
 * own.
 */
struct fake_xenstored *fake_xenstored_start_on(struct kunit *test,
					       struct blanket_xs *xs,
					       unsigned int timeout_ms)
{
	struct fake_xenstored_args args = { .xs = xs, .timeout_ms = timeout_ms };

	return kunit_alloc_resource(test, fake_xenstored_init,
				    fake_xenstored_free, GFP_KERNEL, &args);
}
EXPORT_SYMBOL_GPL(fake_xenstored_start_on);

struct fake_xenstored *fake_xenstored_start(struct kunit *test,
					    unsigned int timeout_ms)
{
	return fake_xenstored_start_on(test, NULL, timeout_ms);
}
