// SPDX-License-Identifier: GPL-2.0
/*
 * xenstore wire codec. Every reply is checked here against what the
 * protocol allows before anything else in blanket reads it.
 */

#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include <blanket/test_export.h>
#include "xs_wire.h"

/* Build the header of a request carrying @len payload bytes. */
int blanket_xs_wire_header(struct xsd_sockmsg *hdr, u32 type, u32 req_id,
			   u32 tx_id, size_t len)
{
	if (len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (type >= XS_TYPE_COUNT)
		return -EINVAL;

	hdr->type = type;
	hdr->req_id = req_id;
	hdr->tx_id = tx_id;
	hdr->len = len;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_header);

static bool blanket_xs_wire_type_known(u32 type)
{
	switch (type) {
	case XS_CONTROL ... XS_SET_TARGET:
	case XS_RESET_WATCHES:
	case XS_DIRECTORY_PART:
		return true;
	default:
		/* Includes the retired XS_RESTRICT slot and XS_INVALID. */
		return false;
	}
}

/*
 * Check a header read from L0 before its body is read. A length we cannot
 * buffer or a type we do not know means we can no longer trust where the
 * next message starts: the caller must treat the connection as broken.
 */
int blanket_xs_wire_check_header(const struct xsd_sockmsg *hdr)
{
	if (hdr->len > XENSTORE_PAYLOAD_MAX)
		return -E2BIG;
	if (!blanket_xs_wire_type_known(hdr->type))
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_check_header);

/*
 * Count the NUL-terminated strings of a body. Every byte must belong to a
 * terminated string: a body whose last byte is not NUL is malformed.
 */
int blanket_xs_wire_strings(const char *body, u32 len)
{
	int n = 0;
	u32 i;

	if (len && body[len - 1] != '\0')
		return -EPROTO;
	for (i = 0; i < len; i++)
		n += body[i] == '\0';
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_strings);

static const struct {
	const char *name;
	int err;
} blanket_xs_errors[] = {
	{ "EINVAL", EINVAL }, { "EACCES", EACCES }, { "EEXIST", EEXIST },
	{ "EISDIR", EISDIR }, { "ENOENT", ENOENT }, { "ENOMEM", ENOMEM },
	{ "ENOSPC", ENOSPC }, { "EIO", EIO }, { "ENOTEMPTY", ENOTEMPTY },
	{ "ENOSYS", EOPNOTSUPP }, { "EROFS", EROFS }, { "EBUSY", EBUSY },
	{ "EAGAIN", EAGAIN }, { "EISCONN", EISCONN }, { "E2BIG", E2BIG },
	{ "EPERM", EPERM }, { "EQUOTA", EDQUOT },
};

/*
 * Map the body of an XS_ERROR reply to a negative errno. A body that is
 * not one terminated string is a protocol error; a well-formed name we do
 * not know is reported as -EIO rather than guessed at.
 */
int blanket_xs_wire_error(const char *body, u32 len)
{
	unsigned int i;

	if (blanket_xs_wire_strings(body, len) != 1)
		return -EPROTO;
	for (i = 0; i < ARRAY_SIZE(blanket_xs_errors); i++)
		if (!strcmp(body, blanket_xs_errors[i].name))
			return -blanket_xs_errors[i].err;
	return -EIO;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_error);

/* An XS_WATCH_EVENT body: "path\0token\0". */
int blanket_xs_wire_watch_event(const char *body, u32 len,
				const char **path, const char **token)
{
	if (blanket_xs_wire_strings(body, len) != 2)
		return -EPROTO;
	*path = body;
	*token = body + strlen(body) + 1;
	if (!**path || !**token)
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_watch_event);

/* The reply to write, mkdir, rm, watch, unwatch and transaction end. */
int blanket_xs_wire_ack(const char *body, u32 len)
{
	static const char ok[] = "OK";

	if (len != sizeof(ok) || memcmp(body, ok, sizeof(ok)))
		return -EPROTO;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_ack);

/* A decimal u32 as one terminated string (transaction ids). */
int blanket_xs_wire_u32(const char *body, u32 len, u32 *val)
{
	if (blanket_xs_wire_strings(body, len) != 1)
		return -EPROTO;
	return kstrtou32(body, 10, val) ? -EPROTO : 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_u32);

static bool blanket_xs_path_char(char c)
{
	return isalnum(c) || c == '/' || c == '_' || c == '-' || c == '@';
}

/*
 * Paths we send, including ones assembled from values L0 gave us: the
 * character set xenstored accepts, no empty components, within length.
 */
int blanket_xs_wire_path_valid(const char *path)
{
	size_t len = strnlen(path, XENSTORE_ABS_PATH_MAX + 1);
	size_t i;

	if (!len || len > XENSTORE_ABS_PATH_MAX)
		return -EINVAL;
	if (path[0] != '/' && len > XENSTORE_REL_PATH_MAX)
		return -EINVAL;
	if (len > 1 && path[len - 1] == '/')
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (!blanket_xs_path_char(path[i]))
			return -EINVAL;
		if (path[i] == '/' && path[i + 1] == '/')
			return -EINVAL;
	}
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_path_valid);

/*
 * A directory listing: terminated names, each a valid path component.
 * Returns how many, or -EPROTO if any is not.
 */
int blanket_xs_wire_names(const char *body, u32 len)
{
	int n = blanket_xs_wire_strings(body, len);
	const char *name = body;
	int i;

	for (i = 0; i < n; i++, name += strlen(name) + 1)
		if (!*name || strchr(name, '/') || blanket_xs_wire_path_valid(name))
			return -EPROTO;
	return n;
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_names);

/* Whether @path is @base or lies below it. */
bool blanket_xs_wire_path_under(const char *path, const char *base)
{
	size_t len = strlen(base);

	return !strncmp(path, base, len) && (!path[len] || path[len] == '/');
}
EXPORT_SYMBOL_IF_KUNIT(blanket_xs_wire_path_under);
