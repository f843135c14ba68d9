/* texts.h - the versioned texts holders sign or accept. */
#pragma once
#include <jansson.h>

#include "store/db.h"

/* The newest version (valid now) of the texts of purpose ("login",
 * "eonay-give", "eonay-cancel", "eonay-explanation") as a JSON array of
 * strings, with %CA% replaced by ca_short_name.  -ENOENT when none. */
int sign_texts_load(struct db *db, const char *purpose, const char *ca_short_name,
		    int64_t *ret_version, json_t **ret);
