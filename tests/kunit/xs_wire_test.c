// SPDX-License-Identifier: GPL-2.0
/* The xenstore wire codec, fed good and hostile replies. */

#include <kunit/test.h>

#include "blanket_xenbus/xs_wire.h"

/* Call @fn on a literal body as xenstored sends it: with its final NUL. */
#define ON_BODY(fn, s, ...) fn((s), sizeof(s), ##__VA_ARGS__)

static void xs_wire_header_test(struct kunit *test)
{
	struct xsd_sockmsg hdr;

	KUNIT_ASSERT_EQ(test, blanket_xs_wire_header(&hdr, XS_READ, 7, 3, 12), 0);
	KUNIT_EXPECT_EQ(test, hdr.type, (u32)XS_READ);
	KUNIT_EXPECT_EQ(test, hdr.req_id, 7U);
	KUNIT_EXPECT_EQ(test, hdr.tx_id, 3U);
	KUNIT_EXPECT_EQ(test, hdr.len, 12U);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_header(&hdr, XS_WRITE, 1, 0,
						     XENSTORE_PAYLOAD_MAX), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_header(&hdr, XS_WRITE, 1, 0,
						     XENSTORE_PAYLOAD_MAX + 1),
			-E2BIG);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_header(&hdr, XS_TYPE_COUNT, 1, 0, 0),
			-EINVAL);
}

static void xs_wire_check_header_test(struct kunit *test)
{
	struct xsd_sockmsg hdr = { .type = XS_READ, .len = XENSTORE_PAYLOAD_MAX };

	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), 0);
	hdr.type = XS_WATCH_EVENT;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), 0);
	hdr.type = XS_DIRECTORY_PART;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), 0);

	hdr.len = XENSTORE_PAYLOAD_MAX + 1;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), -E2BIG);
	hdr.len = 0xffffffffU;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), -E2BIG);

	hdr.len = 0;
	hdr.type = XS_SET_TARGET + 1;	/* the retired XS_RESTRICT */
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), -EPROTO);
	hdr.type = XS_TYPE_COUNT;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), -EPROTO);
	hdr.type = XS_INVALID;
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_check_header(&hdr), -EPROTO);
}

static void xs_wire_strings_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_strings("", 0), 0);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_strings, "a"), 1);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_strings, "0\0001\0002"), 3);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_strings, "\0"), 2);
	/* The last string runs off the end of the body. */
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_strings("abc", 3), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_strings("a\0bc", 4), -EPROTO);
}

static void xs_wire_error_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "ENOENT"), -ENOENT);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "EAGAIN"), -EAGAIN);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "EACCES"), -EACCES);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "E2BIG"), -E2BIG);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "EQUOTA"), -EDQUOT);
	/* ENOSYS from xenstored is "not supported", not a bad syscall. */
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "ENOSYS"), -EOPNOTSUPP);
	/* Well formed but unknown: a named failure we do not guess about. */
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "EWHATEVER"), -EIO);
	/* Malformed: unterminated, two strings, empty. */
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_error("ENOENT", 6), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_error, "ENOENT\0EIO"), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_error("", 0), -EPROTO);
}

static void xs_wire_watch_event_test(struct kunit *test)
{
	const char *path = NULL, *token = NULL;
	int err;

	err = ON_BODY(blanket_xs_wire_watch_event, "device/vif\0tok7", &path, &token);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_EXPECT_STREQ(test, path, "device/vif");
	KUNIT_EXPECT_STREQ(test, token, "tok7");

	/* No token; unterminated token; three strings; empty path or token. */
	err = ON_BODY(blanket_xs_wire_watch_event, "device/vif", &path, &token);
	KUNIT_EXPECT_EQ(test, err, -EPROTO);
	err = blanket_xs_wire_watch_event("a\0tok", 5, &path, &token);
	KUNIT_EXPECT_EQ(test, err, -EPROTO);
	err = ON_BODY(blanket_xs_wire_watch_event, "a\0b\0c", &path, &token);
	KUNIT_EXPECT_EQ(test, err, -EPROTO);
	err = ON_BODY(blanket_xs_wire_watch_event, "\0tok", &path, &token);
	KUNIT_EXPECT_EQ(test, err, -EPROTO);
	err = ON_BODY(blanket_xs_wire_watch_event, "path\0", &path, &token);
	KUNIT_EXPECT_EQ(test, err, -EPROTO);
}

static void xs_wire_ack_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_ack, "OK"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_ack("OK", 2), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_ack, "KO"), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_ack, "OK\0"), -EPROTO);
}

static void xs_wire_u32_test(struct kunit *test)
{
	u32 val = 0;

	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_u32, "4294967295", &val), 0);
	KUNIT_EXPECT_EQ(test, val, 0xffffffffU);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_u32, "4294967296", &val), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_u32, "-1", &val), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_u32, "12x", &val), -EPROTO);
	KUNIT_EXPECT_EQ(test, ON_BODY(blanket_xs_wire_u32, "", &val), -EPROTO);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_u32("12", 2, &val), -EPROTO);
}

static void xs_wire_path_valid_test(struct kunit *test)
{
	char *long_path;

	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("device/vif/0/mac"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("/local/domain/0/backend"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("@releaseDomain"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("/"), 0);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid(""), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("device//vif"), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("device/vif/"), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("device/v if"), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("device/../x"), -EINVAL);
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid("dev\nice"), -EINVAL);

	long_path = kunit_kzalloc(test, XENSTORE_ABS_PATH_MAX + 2, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, long_path);
	memset(long_path, 'a', XENSTORE_ABS_PATH_MAX + 1);
	long_path[0] = '/';
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid(long_path), -EINVAL);
	long_path[XENSTORE_ABS_PATH_MAX] = '\0';
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid(long_path), 0);
	/* Relative paths have a shorter limit. */
	long_path[0] = 'a';
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid(long_path), -EINVAL);
	long_path[XENSTORE_REL_PATH_MAX] = '\0';
	KUNIT_EXPECT_EQ(test, blanket_xs_wire_path_valid(long_path), 0);
}

static struct kunit_case blanket_xs_wire_cases[] = {
	KUNIT_CASE(xs_wire_header_test),
	KUNIT_CASE(xs_wire_check_header_test),
	KUNIT_CASE(xs_wire_strings_test),
	KUNIT_CASE(xs_wire_error_test),
	KUNIT_CASE(xs_wire_watch_event_test),
	KUNIT_CASE(xs_wire_ack_test),
	KUNIT_CASE(xs_wire_u32_test),
	KUNIT_CASE(xs_wire_path_valid_test),
	{}
};

static struct kunit_suite blanket_xs_wire_suite = {
	.name = "blanket_xs_wire",
	.test_cases = blanket_xs_wire_cases,
};

kunit_test_suite(blanket_xs_wire_suite);
