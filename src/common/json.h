/* json.h - small helpers over jansson for request bodies and replies. */
#pragma once
#include <jansson.h>

#include "common/util.h"

#define _cleanup_json_ _cleanup_(json_decrefp)

/* Parses buf[n] as a JSON object (not an array or a scalar).  On failure
 * returns -EINVAL and, when ret_err is given, a malloc'ed English reason
 * with the line and column. */
int json_parse_object(const char *buf, size_t n, json_t **ret, char **ret_err);

/* Gets a string member.  -ENOENT when absent or null, -EINVAL when of
 * another type.  The pointer lives as long as the object. */
int json_get_str(const json_t *o, const char *key, const char **ret);

/* Gets an integer member.  -ENOENT when absent, -EINVAL when not an integer. */
int json_get_int(const json_t *o, const char *key, int64_t *ret);

/* Gets a boolean member.  -ENOENT when absent, -EINVAL when not a boolean. */
int json_get_bool(const json_t *o, const char *key, bool *ret);

/* Fails with -EINVAL, naming the first key in *ret_key, when o has a member
 * not in the NULL-terminated list allowed. */
int json_check_keys(const json_t *o, const char *const *allowed, const char **ret_key);

/* Compact serialisation, malloc'ed; NULL on out-of-memory. */
char *json_to_string(const json_t *o);
