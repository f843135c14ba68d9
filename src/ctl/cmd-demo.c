/* cmd-demo.c - eonayctl demo: the demo world of SPEC 6, idempotently.
 *
 *   CA hierarchy (root, issuing, OCSP responder) and a first CRL;
 *   10000000146 AHMET YILMAZ with card DEMO-0001, PIN 123456, certificate active;
 *   10000000078 AYŞE DEMİR with card DEMO-0002, PIN 123456, certificate on hold
 *     (a new card not yet opened for use);
 *   the demo institution meb with its staff list, and the population
 *   registry: both holders and MEHMET KAYA (10000000214, sicil 4242 at
 *   meb), who has no certificate yet and applies through /basvuru/meb.
 * Prints a JSON summary on stdout (with the SOFTHSM2_CONF to use). */
#include <jansson.h>
#include <stdio.h>

#include "domain/authority.h"
#include "domain/cards.h"
#include "domain/publish.h"
#include "config-build.h"
#include "ctl/ctl.h"
#include "pki/key.h"
#include "domain/certs.h"
#include "domain/institutions.h"
#include "domain/password.h"
#include "domain/registry.h"

static const struct demo_holder {
	const char *tckn, *given, *surname, *email, *mobile, *card;
	bool active;
	const char *birth_place, *birth_date;	/* for the registry */
} holders[] = {
	{ "10000000146", "AHMET", "YILMAZ", "ahmet.yilmaz@example.org", "5320000146", "DEMO-0001", true,
	  "İSTANBUL", "12.03.1975" },
	{ "10000000078", "AYŞE", "DEMİR", "ayse.demir@example.org", "5320000078", "DEMO-0002", false,
	  "İZMİR", "28.11.1986" },
};

/* The applicant of the demo (issue 16): in the registry and on meb's staff
 * list, no certificate yet. */
static const struct {
	const char *tckn, *ad, *soyad, *dogum_yeri, *dogum_tarihi, *cep, *sicil, *birim, *unvan;
} applicant = { "10000000214", "MEHMET", "KAYA", "ANKARA", "17.05.1980", "5321234567", "4242",
		"Bilgi İşlem Dairesi Başkanlığı", "Öğretmen" };

#define DEMO_INSTITUTION "meb"
#define DEMO_INSTITUTION_NAME "T.C. Millî Eğitim Bakanlığı"
#define DEMO_INSTITUTION_ADDRESS "Atatürk Bulvarı No: 98, 06648 Bakanlıklar, Çankaya / ANKARA"

/* The registry persons and meb with its staff list, idempotently. */
static int ensure_registry(struct ctl *ctl)
{
	struct staff_record st = { .sicil = (char *)applicant.sicil, .birim = (char *)applicant.birim,
				   .unvan = (char *)applicant.unvan };
	struct registry_person p = { .alive = true };
	int r;

	r = db_begin(ctl->db);
	for (size_t i = 0; r == 0 && i < ELEMENTSOF(holders); i++) {
		snprintf(p.tckn, sizeof(p.tckn), "%s", holders[i].tckn);
		p.ad = (char *)holders[i].given;
		p.soyad = (char *)holders[i].surname;
		p.dogum_yeri = (char *)holders[i].birth_place;
		snprintf(p.dogum_tarihi, sizeof(p.dogum_tarihi), "%s", holders[i].birth_date);
		r = registry_put(ctl->db, &p);
	}
	if (r == 0) {
		snprintf(p.tckn, sizeof(p.tckn), "%s", applicant.tckn);
		p.ad = (char *)applicant.ad;
		p.soyad = (char *)applicant.soyad;
		p.dogum_yeri = (char *)applicant.dogum_yeri;
		snprintf(p.dogum_tarihi, sizeof(p.dogum_tarihi), "%s", applicant.dogum_tarihi);
		r = registry_put(ctl->db, &p);
	}
	if (r == 0)
		r = institution_set(ctl->db, DEMO_INSTITUTION, DEMO_INSTITUTION_NAME,
				    DEMO_INSTITUTION_ADDRESS);
	if (r == 0) {
		snprintf(st.tckn, sizeof(st.tckn), "%s", applicant.tckn);
		snprintf(st.institution, sizeof(st.institution), DEMO_INSTITUTION);
		r = staff_put(ctl->db, &st);
	}
	r = db_end(ctl->db, r);
	if (r < 0)
		fprintf(stderr, "eonayctl demo: cannot load the demo registry: %s\n", strerror(-r));
	return r;
}

#define DEMO_PIN "123456"
/* The güvenlik sözcüğü of both demo holders (Şifreli Giriş, SPEC 6). */
#define DEMO_WORD "elma-armut-42"

static int ensure_card(struct ctl *ctl, struct pki_ca *ca, const struct demo_holder *d)
{
	struct card_request req = { .tckn = d->tckn, .label = d->card, .user_pin = DEMO_PIN,
				    .key_spec = "rsa:2048", .days = 730, .active = d->active };
	struct card_result res;
	bool exists = false;
	int r;

	r = card_exists(ctl->db, d->card, &exists);
	if (r < 0 || exists)
		return r;
	return ctl_card_issue_one(ctl, ca, EONAY_SOFTHSM_MODULE, &req, &res);
}

static int ensure_word(struct ctl *ctl, const char *tckn)
{
	enum refusal why = REFUSAL_NONE;
	bool set = false;
	int r;

	r = password_is_set(ctl->db, tckn, &set);
	if (r < 0 || set)
		return r;
	r = password_set(ctl->db, tckn, DEMO_WORD, "operator", &why);
	if (r == -EACCES)
		fprintf(stderr, "eonayctl demo: cannot set the word of %s: %s\n", tckn,
			refusal_code(why));
	return r;
}

static json_t *holder_json(struct ctl *ctl, const struct demo_holder *d)
{
	struct cert_record *a = NULL;
	size_t n = 0;
	json_t *o;
	_cleanup_free_ char *name = strdup_printf("%s %s", d->given, d->surname);

	if (cert_list_by_tckn(ctl->db, d->tckn, &a, &n) < 0)
		return NULL;
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s?,s:s?}", "tckn", d->tckn, "name", name ? name : "",
		      "card", d->card, "pin", DEMO_PIN, "security_word", DEMO_WORD, "certificate", n ? a[0].serial : NULL,
		      "status", n ? cert_status_str(a[0].status) : NULL);
	cert_record_free_array(a, n);
	return o;
}

int ctl_demo(struct ctl *ctl, int argc, char **argv)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	const char *conf = NULL;
	json_t *o, *hl;
	char *s, *root;
	int r;

	if (ctl_wants_help(argc, argv)) {
		printf("Usage: eonayctl --data DIR demo\n\n"
		       "Creates, idempotently, the demo world in DIR and prints it as JSON.\n");
		return 0;
	}
	r = ctl_open_store(ctl);
	if (r < 0)
		return r;
	r = softhsm_env(&ctl->cfg, &conf);
	if (r < 0) {
		fprintf(stderr, "eonayctl demo: cannot set up SoftHSM in %s: %s\n", ctl->cfg.data_dir,
			strerror(-r));
		return r;
	}
	r = authority_open(&ctl->cfg, &ca);
	if (r == -ENOENT) {
		r = authority_init(&ctl->cfg);
		if (r == 0)
			r = authority_open(&ctl->cfg, &ca);
	}
	if (r < 0) {
		fprintf(stderr, "eonayctl demo: cannot create or open the CA: %s\n", strerror(-r));
		return r;
	}
	for (size_t i = 0; i < ELEMENTSOF(holders); i++) {
		const struct demo_holder *d = &holders[i];

		r = holder_put(ctl->db, d->tckn, d->given, d->surname, d->email, d->mobile);
		if (r == 0)
			r = ensure_card(ctl, ca, d);
		if (r == 0)
			r = ensure_word(ctl, d->tckn);
		if (r < 0)
			return r;
	}
	r = ensure_registry(ctl);
	if (r < 0)
		return r;
	{
		char issuer[CERT_ISSUER_MAX];

		r = crl_issuer_of(ca, issuer);
		if (r == 0)
			r = crl_current(ctl->db, issuer, NULL, NULL, NULL, NULL);
	}
	if (r == -ENOENT)
		r = crl_publish(ctl->db, ca, ctl->cfg.crl_validity, NULL);
	if (r < 0)
		return r;

	root = ctl_name_utf8(X509_get_subject_name(pki_ca_root_cert(ca)));
	hl = json_array();
	for (size_t i = 0; i < ELEMENTSOF(holders); i++)
		json_array_append_new(hl, holder_json(ctl, &holders[i]));
	o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:s,s:s,s:s},s:o,s:{s:s,s:s}}", "security_word",
		      DEMO_WORD, "data_dir",
		      ctl->cfg.data_dir, "url", ctl->cfg.base_url, "softhsm2_conf", conf,
		      "pkcs11_module", EONAY_SOFTHSM_MODULE, "ca", "root", root ? root : "",
		      "crl", pki_ca_crl_url(ca), "ocsp", pki_ca_ocsp_url(ca), "holders", hl,
		      "institution", "id", DEMO_INSTITUTION, "name", DEMO_INSTITUTION_NAME);
	if (o) {
		int64_t persons = 0;

		registry_count(ctl->db, &persons);
		json_object_set_new(o, "applicant",
				    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "tckn",
					      applicant.tckn, "ad", applicant.ad, "soyad",
					      applicant.soyad, "dogum_yeri", applicant.dogum_yeri,
					      "dogum_tarihi", applicant.dogum_tarihi, "cep",
					      applicant.cep, "institution", DEMO_INSTITUTION, "sicil",
					      applicant.sicil, "portal", "/basvuru/" DEMO_INSTITUTION));
		json_object_set_new(o, "registry_persons", json_integer(persons));
		json_object_set_new(o, "institution_address", json_string(DEMO_INSTITUTION_ADDRESS));
	}
	free(root);
	s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
	if (!s) {
		json_decref(o);
		return -ENOMEM;
	}
	printf("%s\n", s);
	free(s);
	json_decref(o);
	return 0;
}
