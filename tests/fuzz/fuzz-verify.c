/* fuzz-verify.c - eimza verify's report (src/eimza/core/verify-report.c,
 * verify-xml.c) on the DER the user hands it: cades_verify() offline as
 * eimza verify runs it, then the report, which parses the CMS once more
 * (signer infos, attributes, certificates, the chain), as JSON, text and
 * TS 119 102-2 XML.  Aborts when the report breaks the standard's table
 * (a sub-indication under another main indication) or calls a signature
 * the verifier refused TOTAL-PASSED.  Seeds: the cades target's. */
#include <stdio.h>

#include "eimza/core/verify-report.h"
#include "pki/cades.h"

#include "fuzz-pki.h"

static struct pki_ca *ca;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ca = fuzz_ca_load();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cades_verify_opts o = {
		.trust = pki_ca_trust_store(ca),
		.now = FUZZ_NOW,
		.no_revocation_check = true,
	};
	struct cades_report *rep = NULL;
	struct vr_report *r = NULL;
	char *text = NULL, *xml = NULL;
	size_t len = 0;

	if (cades_verify(data, size, &o, &rep) < 0)
		return 0;
	if (vr_build(data, size, rep, o.trust, FUZZ_NOW, &r) < 0) {
		cades_report_free(rep);
		return 0;
	}
	if (r->main != vr_sub_main(r->sub) ||
	    (r->main == VR_TOTAL_PASSED) != (rep->indication == CADES_TOTAL_PASSED))
		abort();
	if (getenv("FUZZ_VERBOSE"))
		fprintf(stderr, "verify: %s %s %s\n", vr_main_name(r->main),
			vr_sub_name(r->sub) ? vr_sub_name(r->sub) : "-", r->detail ? r->detail : "-");
	json_decref(vr_to_json(r));
	if (vr_to_text(r, &text) == 0)
		free(text);
	if (vr_to_xml(&r, 1, &xml, &len) == 0)
		free(xml);
	vr_free(r);
	cades_report_free(rep);
	return 0;
}
