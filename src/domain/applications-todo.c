/* applications-todo.c - TEMPORARY: the parts of applications.h,
 * registry.h and institutions.h not written yet answer -EOPNOTSUPP, so
 * that the portal can build against the API meanwhile.  Removed as each
 * part lands. */
#include "domain/applications.h"
#include "domain/institutions.h"
#include "domain/registry.h"

#define TODO return -EOPNOTSUPP
int application_create(struct db *db, const struct application_new *in, char ret_id[33], enum refusal *ret_refusal) { TODO; }
int application_update_form(struct db *db, const char *id, const struct application_new *in, enum refusal *ret_refusal) { TODO; }
void application_done(struct application *a) { }
void application_free_array(struct application *a, size_t n) { free(a); }
int application_get(struct db *db, const char *id, struct application *ret) { TODO; }
int application_list(struct db *db, const struct application_filter *f, struct application **ret, size_t *ret_n) { *ret = NULL; *ret_n = 0; return 0; }
int application_find_open(struct db *db, const char *tckn, const char *institution, char ret_id[33]) { TODO; }
int application_fire(struct db *db, const char *id, enum application_event event, enum application_actor by, const struct application_step *step, struct application_outcome *ret, enum refusal *ret_refusal) { TODO; }
int application_produce(struct db *db, struct pki_ca *ca, const struct config *cfg, const char *module, const char *id, const struct application_step *step, struct card_result *ret_card, char **ret_detail, enum refusal *ret_refusal) { TODO; }
int application_release_due(struct db *db, int64_t now, size_t *ret_n) { TODO; }
int application_window_opens(struct db *db, const char *tckn, int64_t *ret_at) { TODO; }
int application_access_check(struct db *db, const char *id, const char *password, enum refusal *ret_refusal) { TODO; }
int application_access_set(struct db *db, const char *id, const char *password, enum refusal *ret_refusal) { TODO; }
void application_history_free_array(struct application_history_row *a, size_t n) { free(a); }
int application_history(struct db *db, const char *id, struct application_history_row **ret, size_t *ret_n) { TODO; }
int application_add(struct db *db, const char *tckn, const char *kind, const char *state, char ret_id[33]) { TODO; }
int64_t application_now(const struct config *cfg) { return now_sec(); }

void registry_person_done(struct registry_person *p) { }
int registry_date_parse(const char *s, char ret[11]) { TODO; }
int registry_fold(const char *s, char **ret) { TODO; }
int registry_put(struct db *db, const struct registry_person *p) { TODO; }
int registry_get(struct db *db, const char *tckn, struct registry_person *ret) { TODO; }
int registry_import(struct db *db, FILE *f, size_t *ret_n, char **ret_errors) { TODO; }
int registry_match(struct db *db, const char *tckn, const char *ad, const char *soyad, const char *dogum_yeri, const char *dogum_tarihi, struct registry_person *ret, enum refusal *ret_refusal) { TODO; }
int registry_count(struct db *db, int64_t *ret) { TODO; }

void institution_done(struct institution *i) { }
void institution_free_array(struct institution *a, size_t n) { free(a); }
bool institution_code_ok(const char *code) { return false; }
int institution_set(struct db *db, const char *code, const char *name, const char *address) { TODO; }
int institution_get(struct db *db, const char *code, struct institution *ret) { TODO; }
int institution_list(struct db *db, struct institution **ret, size_t *ret_n) { TODO; }
void staff_record_done(struct staff_record *s) { }
int staff_import(struct db *db, const char *code, FILE *f, size_t *ret_n, char **ret_errors) { TODO; }
int staff_put(struct db *db, const struct staff_record *s) { TODO; }
int staff_match(struct db *db, const char *code, const char *tckn, const char *sicil, struct registry_person *ret_person, struct staff_record *ret_staff, enum refusal *ret_refusal) { TODO; }
int staff_get(struct db *db, const char *code, const char *tckn, struct staff_record *ret) { TODO; }
