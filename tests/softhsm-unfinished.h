/* softhsm-unfinished.h - makes, in SoftHSM token directory tokens, the
 * token a card production killed between SoftHSM's first two writes of
 * token.object leaves: a directory named uuid whose token.object holds
 * the generation and the label (a byte string attribute) and no serial.
 * Shared by the unit test of the sweep and the crash e2e test. */
#pragma once

#include <stdio.h>
#include <sys/stat.h>

static inline void softhsm_put_u64(FILE *f, unsigned long long v)
{
	for (int i = 7; i >= 0; i--)
		fputc((int)(v >> (8 * i)) & 0xff, f);
}

/* 0, or -1 when a file could not be made. */
static inline int softhsm_unfinished_make(const char *tokens, const char *uuid,
					  const char *label)
{
	char path[512], padded[33];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tokens, uuid);
	if (mkdir(path, 0700) < 0)
		return -1;
	snprintf(path, sizeof(path), "%s/%s/token.object", tokens, uuid);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	snprintf(padded, sizeof(padded), "%-32s", label);
	softhsm_put_u64(f, 1);			/* generation */
	softhsm_put_u64(f, 0x80005349ULL);	/* CKA_OS_TOKENLABEL */
	softhsm_put_u64(f, 3);			/* a byte string */
	softhsm_put_u64(f, 32);
	fwrite(padded, 1, 32, f);
	return fclose(f) == 0 ? 0 : -1;
}
