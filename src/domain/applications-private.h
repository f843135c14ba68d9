/* applications-private.h - what the files of the application module
 * (applications*.c) share and nothing else uses. */
#pragma once
#include "domain/applications.h"

/* A row of application_history, in the caller's transaction (seq: the
 * next of this application; from NULL when the application is created). */
int app_history_add(struct db *db, const char *id, const char *from, const char *to,
		    const char *event, const char *operator, const char *reason, int64_t at);

/* The open application of the same person, institution and kind as in.
 * -ENOENT when none. */
int application_find_same(struct db *db, const struct application_new *in, char ret_id[33]);
