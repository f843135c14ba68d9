/* fuzz-cades.c - CMS/CAdES verification (pki/cades.c) as eimza verify
 * and the server's signature check run it: the input is the DER the
 * holder sends.  Trust: the fixed CA of tests/fuzz/data; the revocation
 * status is asked (and answered from the serial) so the whole path runs;
 * then the report is rendered as JSON and text. */
#include <stdio.h>

#include "pki/cades.h"
#include "pki/key.h"

#include "fuzz-pki.h"

static struct pki_ca *ca;

static int status(void *userdata, X509 *cert, X509 *issuer, int *ret_state)
{
	char hex[PKI_SERIAL_HEX_MAX];

	if (pki_cert_serial_hex(cert, hex) < 0)
		return -EINVAL;
	*ret_state = (int)(strlen(hex) + (unsigned char)hex[0]) % 4;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ca = fuzz_ca_load();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cades_verify_opts o = {
		.trust = pki_ca_trust_store(ca),
		.intermediates = pki_ca_chain(ca),
		.now = FUZZ_NOW,
		.status = status,
		/* odd sizes: the offline check of eimza verify */
		.no_revocation_check = size % 2,
		.required_policy = size % 3 ? "2.16.792.1.2.1.1.5.7.1.9" : NULL,
	};
	struct cades_report *rep = NULL;
	char *text = NULL;

	if (cades_verify(data, size, &o, &rep) < 0)
		return 0;
	if (!rep || !rep->sub_name)
		abort();	/* any input gives a report */
	if (getenv("FUZZ_VERBOSE"))	/* to check the seeds reach TOTAL-PASSED */
		fprintf(stderr, "cades: %s %s %s\n", cades_indication_name(rep->indication),
			rep->sub_name, rep->detail ? rep->detail : "");
	json_decref(cades_report_to_json(rep));
	if (cades_report_to_text(rep, &text) == 0)
		free(text);
	cades_report_free(rep);
	return 0;
}
