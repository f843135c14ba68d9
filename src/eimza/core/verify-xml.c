/* verify-xml.c - the ETSI TS 119 102-2 validation report (XML, namespace
 * http://uri.etsi.org/19102/v1.2.1#) of eimza verify's reports, built
 * with libxml2's tree API so that every name and value is escaped by the
 * library.  Element order follows the schema's sequences:
 * ValidationReport = SignatureValidationReport+, SignatureValidationObjects;
 * SignatureValidationReport = SignatureIdentifier,
 * ValidationConstraintsEvaluationReport, ValidationTimeInfo,
 * SignersDocument, SignatureAttributes, SignerInformation,
 * SignatureValidationProcess, SignatureValidationStatus. */
#include "eimza/core/verify-report.h"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/sha.h>

#include "common/util.h"

#define NS_VR "http://uri.etsi.org/19102/v1.2.1#"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define URN_OBJ "urn:etsi:019102:validationObject:"
#define URN_EONAY "urn:eonay:eimza:verify:"

struct xw {
	xmlDocPtr doc;
	xmlNsPtr vr, ds;
	bool oom;
};

static xmlNodePtr el(struct xw *w, xmlNodePtr parent, xmlNsPtr ns, const char *name,
		     const char *text)
{
	xmlNodePtr n;

	if (w->oom || !parent)
		return NULL;
	n = xmlNewTextChild(parent, ns, BAD_CAST name, text ? BAD_CAST text : NULL);
	if (!n)
		w->oom = true;
	return n;
}

static void attr(struct xw *w, xmlNodePtr n, const char *name, const char *value)
{
	if (!w->oom && n && !xmlNewProp(n, BAD_CAST name, BAD_CAST value))
		w->oom = true;
}

static void b64_el(struct xw *w, xmlNodePtr parent, xmlNsPtr ns, const char *name,
		   const void *buf, size_t n)
{
	_cleanup_free_ char *b64 = NULL;

	if (base64_encode(buf, n, &b64) < 0) {
		w->oom = true;
		return;
	}
	el(w, parent, ns, name, b64);
}

static void time_el(struct xw *w, xmlNodePtr parent, const char *name, int64_t t)
{
	char s[21];

	iso8601_utc(t, s);
	el(w, parent, w->vr, name, s);
}

/* <X VOReference="id"/> */
static void voref(struct xw *w, xmlNodePtr parent, const char *name, const char *id)
{
	attr(w, el(w, parent, w->vr, name, NULL), "VOReference", id);
}

static void digest_alg_and_value(struct xw *w, xmlNodePtr parent, const char *uri,
				 const void *buf, size_t n)
{
	xmlNodePtr d = el(w, parent, w->vr, "DigestAlgAndValue", NULL);

	attr(w, el(w, d, w->ds, "DigestMethod", NULL), "Algorithm", uri);
	b64_el(w, d, w->ds, "DigestValue", buf, n);
}

static void report_data(struct xw *w, xmlNodePtr parent, const char *type, const char *value)
{
	xmlNodePtr d = el(w, parent, w->vr, "ReportData", NULL);

	el(w, d, w->vr, "Type", type);
	el(w, d, w->vr, "Value", value);
}

static void signature_report(struct xw *w, xmlNodePtr root, const struct vr_report *r)
{
	xmlNodePtr s = el(w, root, w->vr, "SignatureValidationReport", NULL), n, c, v;
	const char *sub = vr_sub_name(r->sub);
	const struct vr_cert *signer = r->n_chain ? &r->chain[0] : NULL;
	unsigned char md[32];

	/* SignatureIdentifier: the SHA-256 of the signature value. */
	n = el(w, s, w->vr, "SignatureIdentifier", NULL);
	attr(w, n, "id", r->id);
	if (r->sig_value) {
		SHA256(r->sig_value, r->sig_value_len, md);
		digest_alg_and_value(w, n, "http://www.w3.org/2001/04/xmlenc#sha256", md, sizeof(md));
		b64_el(w, n, w->ds, "SignatureValue", r->sig_value, r->sig_value_len);
	}
	el(w, n, w->vr, "HashOnly", "false");
	el(w, n, w->vr, "DocHashOnly", "false");

	/* The check the offline validation leaves out (EN 319 102-1, 5.1.4.1). */
	n = el(w, s, w->vr, "ValidationConstraintsEvaluationReport", NULL);
	c = el(w, n, w->vr, "ValidationConstraint", NULL);
	el(w, c, w->vr, "ValidationConstraintIdentifier", URN_EONAY "revocationChecking");
	el(w, el(w, c, w->vr, "ConstraintStatus", NULL), w->vr, "Status",
	   "urn:etsi:019102:constraintStatus:disabled");

	n = el(w, s, w->vr, "ValidationTimeInfo", NULL);
	time_el(w, n, "ValidationTime", r->validation_time);
	c = el(w, n, w->vr, "BestSignatureTime", NULL);
	time_el(w, c, "POETime", r->validation_time);
	el(w, c, w->vr, "TypeOfProof", "urn:etsi:019102:poetype:validation");

	if (r->message_digest && r->digest_uri) {
		char did[70];

		snprintf(did, sizeof(did), "D-%s", r->id + 2);
		n = el(w, s, w->vr, "SignersDocument", NULL);
		digest_alg_and_value(w, n, r->digest_uri, r->message_digest, r->message_digest_len);
		voref(w, n, "SignersDocumentRepresentation", did);
	}

	n = el(w, s, w->vr, "SignatureAttributes", NULL);
	if (r->signing_time) {
		c = el(w, n, w->vr, "SigningTime", NULL);
		attr(w, c, "Signed", "true");
		time_el(w, c, "Time", r->signing_time);
	}
	if (signer && r->internal != CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING &&
	    r->internal != CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH) {
		c = el(w, n, w->vr, "SigningCertificate", NULL);
		attr(w, c, "Signed", "true");
		voref(w, c, "AttributeObject", signer->id);
	}
	if (r->message_digest) {
		c = el(w, n, w->vr, "MessageDigest", NULL);
		attr(w, c, "Signed", "true");
		b64_el(w, c, w->vr, "Digest", r->message_digest, r->message_digest_len);
	}

	if (signer) {
		n = el(w, s, w->vr, "SignerInformation", NULL);
		attr(w, n, "Pseudonym", "false");
		voref(w, n, "SignerCertificate", signer->id);
		el(w, n, w->vr, "Signer", signer->subject);
	}

	n = el(w, s, w->vr, "SignatureValidationProcess", NULL);
	el(w, n, w->vr, "SignatureValidationProcessID", "urn:etsi:019102:validationprocess:Basic");

	n = el(w, s, w->vr, "SignatureValidationStatus", NULL);
	el(w, n, w->vr, "MainIndication", vr_main_uri(r->main));
	if (sub) {
		_cleanup_free_ char *uri = strdup_printf("urn:etsi:019102:subindication:%s", sub);

		if (!uri)
			w->oom = true;
		el(w, n, w->vr, "SubIndication", uri);
	}
	v = el(w, n, w->vr, "AssociatedValidationReportData", NULL);
	if (r->chain_trusted && r->n_chain > 0)
		voref(w, v, "TrustAnchor", r->chain[r->n_chain - 1].id);
	if (signer) {
		c = el(w, v, w->vr, "CertificateChain", NULL);
		voref(w, c, "SigningCertificate", signer->id);
		for (size_t i = 1; i < r->n_chain; i++)
			if (!(r->chain_trusted && i + 1 == r->n_chain))
				voref(w, c, "IntermediateCertificate", r->chain[i].id);
		if (r->chain_trusted && r->n_chain > 1)
			voref(w, c, "TrustAnchor", r->chain[r->n_chain - 1].id);
	}
	if (r->detail || r->reason) {
		c = el(w, v, w->vr, "AdditionalValidationReportData", NULL);
		if (r->detail)
			report_data(w, c, URN_EONAY "detail", r->detail);
		if (r->reason)
			report_data(w, c, URN_EONAY "reason", r->reason);
	}
	if (v && !v->children) {
		xmlUnlinkNode(v);
		xmlFreeNode(v);
	}
}

/* Has an earlier report (or this one before cert i) already listed id? */
static bool listed(struct vr_report *const *reps, size_t k, size_t i, const char *id)
{
	for (size_t a = 0; a <= k; a++)
		for (size_t b = 0; b < (a == k ? i : reps[a]->n_chain); b++)
			if (streq(reps[a]->chain[b].id, id))
				return true;
	return false;
}

/* The same signature twice in a file: its signed data is listed once. */
static bool same_signature_before(struct vr_report *const *reps, size_t k)
{
	for (size_t a = 0; a < k; a++)
		if (streq(reps[a]->id, reps[k]->id))
			return true;
	return false;
}

static void objects(struct xw *w, xmlNodePtr root, struct vr_report *const *reps, size_t n)
{
	xmlNodePtr list = el(w, root, w->vr, "SignatureValidationObjects", NULL), o, rep;

	for (size_t k = 0; k < n; k++) {
		const struct vr_report *r = reps[k];

		for (size_t i = 0; i < r->n_chain; i++) {
			unsigned char *der = NULL;
			int len;

			if (listed(reps, k, i, r->chain[i].id))
				continue;
			o = el(w, list, w->vr, "ValidationObject", NULL);
			attr(w, o, "id", r->chain[i].id);
			el(w, o, w->vr, "ObjectType", URN_OBJ "certificate");
			rep = el(w, o, w->vr, "ValidationObjectRepresentation", NULL);
			len = i2d_X509(r->chain[i].x509, &der);
			if (len <= 0) {
				w->oom = true;
				return;
			}
			b64_el(w, rep, w->vr, "base64", der, (size_t)len);
			OPENSSL_free(der);
		}
		if (r->message_digest && r->digest_uri && !same_signature_before(reps, k)) {
			char did[70];

			snprintf(did, sizeof(did), "D-%s", r->id + 2);
			o = el(w, list, w->vr, "ValidationObject", NULL);
			attr(w, o, "id", did);
			el(w, o, w->vr, "ObjectType", URN_OBJ "signedData");
			rep = el(w, o, w->vr, "ValidationObjectRepresentation", NULL);
			digest_alg_and_value(w, rep, r->digest_uri, r->message_digest,
					     r->message_digest_len);
		}
	}
	if (list && !list->children) {
		xmlUnlinkNode(list);
		xmlFreeNode(list);
	}
}

int vr_to_xml(struct vr_report *const *reps, size_t n, char **ret, size_t *ret_len)
{
	struct xw w = { 0 };
	xmlNodePtr root;
	xmlChar *buf = NULL;
	int len = 0;

	if (!reps || n == 0 || !ret || !ret_len)
		return -EINVAL;
	w.doc = xmlNewDoc(BAD_CAST "1.0");
	root = w.doc ? xmlNewDocNode(w.doc, NULL, BAD_CAST "ValidationReport", NULL) : NULL;
	if (!root) {
		xmlFreeDoc(w.doc);
		return -ENOMEM;
	}
	xmlDocSetRootElement(w.doc, root);
	w.vr = xmlNewNs(root, BAD_CAST NS_VR, BAD_CAST "vr");
	w.ds = xmlNewNs(root, BAD_CAST NS_DS, BAD_CAST "ds");
	if (!w.vr || !w.ds)
		w.oom = true;
	xmlSetNs(root, w.vr);
	for (size_t i = 0; i < n; i++)
		signature_report(&w, root, reps[i]);
	objects(&w, root, reps, n);
	if (!w.oom)
		xmlDocDumpFormatMemoryEnc(w.doc, &buf, &len, "UTF-8", 1);
	xmlFreeDoc(w.doc);
	if (w.oom || !buf || len <= 0) {
		xmlFree(buf);
		return -ENOMEM;
	}
	*ret = malloc((size_t)len + 1);
	if (!*ret) {
		xmlFree(buf);
		return -ENOMEM;
	}
	memcpy(*ret, buf, (size_t)len);
	(*ret)[len] = '\0';
	*ret_len = (size_t)len;
	xmlFree(buf);
	return 0;
}
