/* softhsm.h - SoftHSM's token directory, where this data directory's
 * cards live, seen as files: what card production (cards.c) must do there
 * that PKCS#11 cannot, because SoftHSM itself fails on it.
 *
 * SoftHSM makes a token by writing token.object three times (label, then
 * serial, then flags) and the SO PIN after.  A production killed between
 * the first two writes leaves a token with a label and no serial; SoftHSM
 * numbers such a token's slot 0, and with two of them every process that
 * loads the module (eonayctl, eonayd, eimza, softhsm2-util) aborts on an
 * assertion.  Productions therefore make tokens under one lock, and the
 * one holding it first removes the tokens SoftHSM never finished: then at
 * most one unfinished token exists at any time. */
#pragma once

#include <stddef.h>

#include "common/util.h"

/* SoftHSM's token directory (directories.tokendir of the file
 * SOFTHSM2_CONF names), malloc'ed in *ret.  -ENOENT when not set. */
int softhsm_tokendir(char **ret);

/* Removes the token directory parent/name and the files in it (not
 * through a symbolic link). */
int softhsm_token_remove(const char *parent, const char *name);

/* Takes the production lock (an exclusive flock on ".eonay-production.lock"
 * in the token directory; SoftHSM reads directories only): *ret_fd is to
 * be closed to release it.  Waits for another production's token
 * initialisation, never for its whole card.  -EPERM when something other
 * than a plain file is found at that name. */
int softhsm_lock(int *ret_fd);

/* The tokens SoftHSM never finished making: directories named by a UUID
 * whose token.object is whole but has no serial attribute (the label
 * alone, or the generation alone) and that hold no other object.  Nobody
 * can use such a token and it holds nothing.  An empty or cut-short
 * token.object is not one: SoftHSM truncates the file before each rewrite
 * (every login rewrites its flags), so a live token's looks like that for
 * a moment; SoftHSM skips those itself.  Their names in *ret, a
 * NULL-terminated array (p11_strv_free()); *ret_n (may be NULL) how
 * many.  Only under softhsm_lock(), then softhsm_token_remove() each. */
int softhsm_unfinished(char ***ret, size_t *ret_n);
