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

/* SoftHSM's token directory (directories.tokendir of the file
 * SOFTHSM2_CONF names), malloc'ed in *ret.  -ENOENT when not set. */
int softhsm_tokendir(char **ret);

/* Removes the token directory parent/name and the files in it. */
int softhsm_token_remove(const char *parent, const char *name);

/* Takes the production lock (an exclusive flock on ".eonay-production.lock"
 * in the token directory; SoftHSM reads directories only): *ret_fd is to
 * be closed to release it.  Waits for another production's token
 * initialisation, never for its whole card. */
int softhsm_lock(int *ret_fd);

/* Removes every token SoftHSM never finished making: a token.object with
 * no serial attribute and no other object in its directory (nobody can
 * use such a token and it holds nothing; a token.object cut short before
 * its serial counts as none).  Only under softhsm_lock(): SoftHSM itself
 * truncates token.object before each rewrite, so a token another program
 * is making (softhsm2-util --init-token) at that moment could look
 * unfinished.  *ret_removed (may be NULL): how many went. */
int softhsm_sweep(unsigned *ret_removed);
