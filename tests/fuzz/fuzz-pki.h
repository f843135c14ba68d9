/* fuzz-pki.h - the fixed CA of tests/fuzz/data/ca for the CMS and OCSP
 * targets (made once by gen-seeds.c; its certificates are valid for
 * decades, and the targets verify at a fixed time inside them). */
#pragma once
#include "pki/ca.h"

#include "fuzz.h"

/* The CA's configuration as gen-seeds made it. */
static inline void fuzz_ca_config(struct pki_ca_config *cfg)
{
	pki_ca_config_init_defaults(cfg);
	cfg->root_days = 36500;
	cfg->issuing_days = 36000;
	cfg->ocsp_days = 35000;
	cfg->holder_max_days = 30000;
}

static inline struct pki_ca *fuzz_ca_load(void)
{
	struct pki_ca_config cfg;
	struct pki_ca *ca = NULL;

	fuzz_ca_config(&cfg);
	if (pki_ca_load_config(&cfg, FUZZ_DATA "/ca", FUZZ_CA_PASS, &ca) < 0)
		abort();
	return ca;
}

/* A time at which every certificate of the fixed data is valid. */
#define FUZZ_NOW ((int64_t)1893456000)	/* 2030-01-01 */
