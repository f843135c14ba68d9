/* gui.c - the e-İmza window (GTK 4, in eimza-gui): the flow between its
 * screens.
 *
 * Doğrulama Kodu (typed, pasted or from an eimza:// link) -> claim ->
 * Sözleşme with a live Kalan Süre, Sertifika Seçimi, PIN Kodu (keypad or
 * keyboard) -> İMZALA -> sign on the card and submit -> the result, or
 * one screen per failure with its way out.  Claim, card reading and
 * signing run in a worker thread (GTask), one at a time, through
 * libeimza-core: the same code as "eimza sign".  The PIN lives only in
 * struct gui.pin (never in a GTK widget) and in the worker's copy, both
 * wiped as soon as they are used.  A pin-reset code (PIN Oluşturma /
 * Kilit Çözme) uses the same screen: the new PIN typed twice, then the
 * reset of core/pin.c, as "eimza pin". */
#include <openssl/crypto.h>
#include <stdio.h>
#include <time.h>

#include "common/checkdigit.h"
#include "eimza/core/code.h"
#include "eimza/core/pin.h"
#include "eimza/gui.h"

enum job_kind { JOB_CLAIM, JOB_CARDS, JOB_SIGN, JOB_SUBMIT, JOB_PIN };

struct job {
	struct gui *g;
	enum job_kind kind;
	char digits[EIMZA_CODE_DIGITS + 1];
	char pin[GUI_PIN_MAX + 1];
	size_t cert;
	struct eimza_session sess;
	struct eimza_cards cards;
	json_t *sigs;
	char *message;
	struct eimza_error err;
	int r;
};

static void job_free(gpointer p)
{
	struct job *j = p;

	OPENSSL_cleanse(j->pin, sizeof(j->pin));
	OPENSSL_cleanse(j->digits, sizeof(j->digits));
	eimza_session_done(&j->sess);
	eimza_cards_done(&j->cards);
	json_decref(j->sigs);
	free(j->message);
	g_free(j);
}

static void job_thread(GTask *task, gpointer src, gpointer data, GCancellable *c)
{
	struct job *j = data;
	struct gui *g = j->g;

	switch (j->kind) {
	case JOB_CLAIM:
		j->r = eimza_claim(g->app->cfg.server, g->app->cfg.cafile, j->digits, &j->sess, &j->err);
		break;
	case JOB_CARDS:
		j->r = eimza_cards_open(&g->app->cfg, g->sess.tckn_masked, &j->cards, &j->err);
		break;
	case JOB_SIGN:
		/* g->cards and g->sess are left alone by the main thread while busy. */
		j->r = eimza_cards_sign(&g->cards, j->cert, j->pin, g->sess.texts, &j->sigs, &j->err);
		OPENSSL_cleanse(j->pin, sizeof(j->pin));
		/* The page says so; the session stays ("PIN'i Tekrar Gir"). */
		if (j->r < 0 && j->err.kind == EIMZA_FAIL_PIN_WRONG)
			eimza_report(&g->sess, "pin_wrong");
		else if (j->r < 0 && j->err.kind == EIMZA_FAIL_PIN_LOCKED)
			eimza_report(&g->sess, "pin_locked");
		if (j->r == 0)
			j->r = eimza_submit(&g->sess, j->sigs, &j->message, &j->err);
		break;
	case JOB_SUBMIT:
		j->r = eimza_submit(&g->sess, g->sigs, &j->message, &j->err);
		break;
	case JOB_PIN:
		j->r = eimza_pin_reset(&g->cards, j->cert, &g->sess, j->pin, EIMZA_STOP_NONE,
				       &j->message, &j->err);
		OPENSSL_cleanse(j->pin, sizeof(j->pin));
		break;
	}
	g_task_return_boolean(task, TRUE);
}

static void job_done(GObject *src, GAsyncResult *res, gpointer data);

static void job_start(struct gui *g, struct job *j)
{
	GTask *t = g_task_new(NULL, NULL, job_done, g);

	j->g = g;
	g->busy = true;
	gtk_widget_set_cursor_from_name(GTK_WIDGET(g->window), "wait");
	g_task_set_task_data(t, j, job_free);
	g_task_run_in_thread(t, job_thread);
	g_object_unref(t);
}

static void pin_wipe(struct gui *g)
{
	OPENSSL_cleanse(g->pin, sizeof(g->pin));
	g->pin_len = 0;
}

/* Back to the first entry of a new PIN. */
static void new_pin_wipe(struct gui *g)
{
	OPENSSL_cleanse(g->new_pin, sizeof(g->new_pin));
	g->pin_phase = 0;
}

void gui_update_sign(struct gui *g)
{
	char dots[GUI_PIN_MAX * 3 + 1] = "";
	int64_t left = g->have_sess ? eimza_session_remaining(&g->sess) : 0;
	bool relay_ok = !gtk_widget_get_visible(g->relay_box) ||
			gtk_check_button_get_active(g->relay_ok);
	const char *note = "";

	for (size_t i = 0; i < g->pin_len; i++)
		strcat(dots, "●");
	gtk_label_set_text(g->pin_dots, dots);
	if (!g->have_sess)
		return;
	if (left <= 0)
		note = "İmzalama süresi doldu. Tarayıcınızda \"Tekrar Kod Al\" ile yeni bir kod "
		       "alınız.";
	else if (g->cert < 0)
		note = "Bir sertifika seçiniz.";
	else if (!relay_ok)
		note = "Devam etmek için yukarıdaki uyarıyı okuyup onaylayınız.";
	else if (g->pin_reset && g->busy && g->have_cards)
		note = "Kartınıza yeni PIN yazılıyor; kartınızı çıkarmayınız…";
	else if (g->pin_reset && g->pin_phase == 0)
		note = "Kartınız için yeni PIN kodunu giriniz (6-8 hane; aynı rakamın tekrarı ve "
		       "ardışık rakamlar olamaz).";
	else if (g->pin_reset)
		note = "Yeni PIN kodunu tekrar giriniz.";
	else if (g->pin_len < 4)
		note = "PIN kodunuzu tuş takımıyla ya da klavyeden giriniz.";
	else if (g->busy)
		note = "İmzalanıyor, lütfen bekleyiniz…";
	gtk_label_set_text(g->sign_note, note);
	gtk_widget_set_visible(g->new_code_btn, left <= 0 && !g->busy);
	gtk_widget_set_sensitive(g->sign_btn, left > 0 && g->cert >= 0 && relay_ok &&
				 g->pin_len >= (g->pin_reset ? 6u : 4u) && !g->busy);
}

static gboolean on_tick(gpointer data)
{
	struct gui *g = data;
	char buf[64], now[32];
	int64_t left;

	if (!g->have_sess) {
		g->tick = 0;
		return G_SOURCE_REMOVE;
	}
	left = eimza_session_remaining(&g->sess);
	snprintf(buf, sizeof(buf), "Kalan Süre: %lld saniye", (long long)left);
	gtk_label_set_text(g->remaining, buf);
	if (left <= 30)
		gtk_widget_add_css_class(GTK_WIDGET(g->remaining), "low");
	eimza_format_time(time(NULL), now);
	snprintf(buf, sizeof(buf), "İmzalama Tarihi: %s", now);
	gtk_label_set_text(g->signing, buf);
	gui_update_sign(g);
	if (left <= 0) {
		pin_wipe(g);
		new_pin_wipe(g);
		gui_update_sign(g);
		g->tick = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

static void session_drop(struct gui *g)
{
	if (g->tick)
		g_source_remove(g->tick);
	g->tick = 0;
	pin_wipe(g);
	new_pin_wipe(g);
	g->pin_reset = false;
	eimza_cards_done(&g->cards);
	g->have_cards = false;
	eimza_session_done(&g->sess);
	g->have_sess = false;
	json_decref(g->sigs);
	g->sigs = NULL;
	g->cert = -1;
}

static void to_code_page(struct gui *g)
{
	session_drop(g);
	OPENSSL_cleanse(g->digits, sizeof(g->digits));
	gtk_editable_set_text(g->code_entry, "");
	gui_show_page(g, "code");
	gtk_widget_grab_focus(GTK_WIDGET(g->code_entry));
}

static void claim(struct gui *g)
{
	struct job *j = g_new0(struct job, 1);

	if (!g->app->cfg.server) {
		gui_show_failure(g, "Sunucu Ayarlanmamış",
				 "e-İmza Uygulamasının bağlanacağı sunucu ayarlanmamış. Uygulamayı "
				 "yeniden kurunuz ya da sistem yöneticinize başvurunuz.",
				 "Ayar dosyası: " EIMZA_CONFIG_PATH " ([server] url = …)", NULL,
				 GUI_NEXT_CLOSE);
		g_free(j);
		return;
	}
	j->kind = JOB_CLAIM;
	memcpy(j->digits, g->digits, sizeof(j->digits));
	gtk_label_set_text(g->code_hint, "Sunucuya bağlanılıyor…");
	gtk_widget_set_sensitive(g->next_btn, FALSE);
	job_start(g, j);
}

static void read_cards(struct gui *g)
{
	struct job *j = g_new0(struct job, 1);

	eimza_cards_done(&g->cards);
	g->have_cards = false;
	g->cert = -1;
	gui_show_certs(g);
	gtk_label_set_text(g->cert_note, "Kartlar okunuyor…");
	gtk_widget_set_visible(GTK_WIDGET(g->cert_note), TRUE);
	j->kind = JOB_CARDS;
	job_start(g, j);
}

/* The failure screen of each kind of failure. */
static void failed(struct gui *g, const struct eimza_error *e, bool at_submit)
{
	const char *detail = e->detail[0] ? e->detail : NULL;

	switch (e->kind) {
	case EIMZA_FAIL_CODE:
		gui_show_failure(g, "Doğrulama Kodu Kabul Edilmedi", e->message, NULL, "Yeni Kod Gir",
				 GUI_NEXT_CODE);
		break;
	case EIMZA_FAIL_EXPIRED:
		gui_show_failure(g, "Süre Doldu", e->message, NULL, "Yeni Kod Gir", GUI_NEXT_CODE);
		break;
	case EIMZA_FAIL_NETWORK:
		gui_show_failure(g, "Sunucuya Ulaşılamadı", e->message, detail, "Tekrar Dene",
				 at_submit ? GUI_NEXT_SUBMIT : GUI_NEXT_CLAIM);
		break;
	case EIMZA_FAIL_REFUSED:
		gui_show_failure(g, "İşleminiz Kabul Edilmedi", e->message, NULL, NULL, GUI_NEXT_CLOSE);
		break;
	case EIMZA_FAIL_NO_MODULE:
		gui_show_failure(g, "Kart Okuyucu Bulunamadı", e->message, NULL, "Tekrar Dene",
				 GUI_NEXT_CARDS);
		break;
	case EIMZA_FAIL_NO_CARD:
		gui_show_failure(g, "Kartınızı takınız", "Kart okuyucuda takılı bir kart bulunamadı. "
				 "Elektronik imzalama sertifikanızın bulunduğu kartınızı takıp \"Tekrar "
				 "Dene\" butonuna tıklayınız.", NULL, "Tekrar Dene", GUI_NEXT_CARDS);
		break;
	case EIMZA_FAIL_NO_CERT:
		gui_show_failure(g, "Uygun Sertifika Bulunamadı", e->message, NULL, "Tekrar Dene",
				 GUI_NEXT_CARDS);
		break;
	case EIMZA_FAIL_PIN_WRONG:
		gui_show_failure(g, "PIN Hatalı", e->message, NULL, "PIN'i Tekrar Gir", GUI_NEXT_PIN);
		break;
	case EIMZA_FAIL_PIN_LOCKED:
		gui_show_failure(g, "Kartınız Bloke Oldu", e->message, NULL, NULL, GUI_NEXT_CLOSE);
		break;
	case EIMZA_FAIL_CARD:
		gui_show_failure(g, "Kart Hatası", e->message, NULL, "Tekrar Dene", GUI_NEXT_PIN);
		break;
	case EIMZA_FAIL_NONE:
	case EIMZA_FAIL_INTERNAL:
		gui_show_failure(g, "Beklenmeyen Bir Hata", e->message, NULL, NULL, GUI_NEXT_CLOSE);
		break;
	}
}

static void show_ok(struct gui *g, const char *message)
{
	const char *head = "İşleminiz Başarılıdır.";

	gtk_label_set_text(g->ok_title, head);
	if (strncmp(message, head, strlen(head)) == 0)
		message += strlen(head);
	while (*message == ' ')
		message++;
	gtk_label_set_text(g->ok_text, message);
	gtk_label_set_text(g->ok_saved, "");
	if (g->tick)
		g_source_remove(g->tick);
	g->tick = 0;
	gui_show_page(g, "ok");
}

static void job_done(GObject *src, GAsyncResult *res, gpointer data)
{
	struct gui *g = data;
	struct job *j = g_task_get_task_data(G_TASK(res));

	g->busy = false;
	gtk_widget_set_cursor(GTK_WIDGET(g->window), NULL);
	switch (j->kind) {
	case JOB_CLAIM:
		gui_on_code_changed(g->code_entry, g);
		if (j->r < 0) {
			failed(g, &j->err, false);
			return;
		}
		OPENSSL_cleanse(g->digits, sizeof(g->digits));
		g->sess = j->sess;
		j->sess = (struct eimza_session){ 0 };
		g->have_sess = true;
		g->pin_reset = g->sess.purpose && streq(g->sess.purpose, "pin-reset");
		new_pin_wipe(g);
		gtk_button_set_label(GTK_BUTTON(g->sign_btn), g->pin_reset ? "PIN'İ YENİLE" : "İMZALA");
		gui_show_session(g);
		gtk_widget_remove_css_class(GTK_WIDGET(g->remaining), "low");
		gui_show_page(g, "sign");
		on_tick(g);
		g->tick = g_timeout_add(1000, on_tick, g);
		read_cards(g);
		return;
	case JOB_CARDS:
		if (j->r < 0) {
			gui_show_certs(g);
			failed(g, &j->err, false);
			return;
		}
		g->cards = j->cards;
		j->cards = (struct eimza_cards){ 0 };
		g->have_cards = true;
		{
			size_t pick;
			struct eimza_error e;
			int r = eimza_cards_pick(&g->cards, NULL, &pick, &e);

			g->cert = r == 0 ? (int)pick : -1;
			gui_show_certs(g);
			if (r == -ENOENT) {
				failed(g, &e, false);
				return;
			}
		}
		gui_show_page(g, "sign");
		gui_update_sign(g);
		return;
	case JOB_PIN:
		gui_update_sign(g);
		if (j->r < 0 && j->err.kind == EIMZA_FAIL_NETWORK) {
			/* The steps cannot be taken up again: a new code (the card
			 * keeps every SO PIN the server knows; docs/SECURITY.md). */
			gui_show_failure(g, "Sunucuya Ulaşılamadı", "Sunucuya ulaşılamadı; PIN işlemi "
					 "tamamlanamadı. Kartınız güvende: tarayıcınızdan yeni bir kod "
					 "alarak işlemi tekrarlayınız.", j->err.detail, "Yeni Kod Gir",
					 GUI_NEXT_CODE);
			return;
		}
		if (j->r < 0) {
			failed(g, &j->err, false);
			return;
		}
		show_ok(g, j->message);
		return;
	case JOB_SIGN:
	case JOB_SUBMIT:
		if (j->kind == JOB_SIGN && j->sigs) {
			json_decref(g->sigs);
			g->sigs = json_incref(j->sigs);
		}
		gui_update_sign(g);
		if (j->r < 0) {
			failed(g, &j->err, j->kind == JOB_SUBMIT || j->err.kind == EIMZA_FAIL_NETWORK ||
						   j->err.kind == EIMZA_FAIL_REFUSED);
			return;
		}
		show_ok(g, j->message);
		return;
	}
}

void gui_on_code_changed(GtkEditable *e, struct gui *g)
{
	char digits[EIMZA_CODE_DIGITS + 1];
	enum eimza_code_state st = eimza_code_check(gtk_editable_get_text(e), digits, NULL);
	GtkWidget *hint = GTK_WIDGET(g->code_hint);

	gtk_label_set_text(g->code_hint, eimza_code_state_tr(st));
	gtk_widget_remove_css_class(hint, "bad");
	gtk_widget_remove_css_class(hint, "good");
	if (st == EIMZA_CODE_OK)
		gtk_widget_add_css_class(hint, "good");
	else if (st != EIMZA_CODE_EMPTY && st != EIMZA_CODE_PARTIAL)
		gtk_widget_add_css_class(hint, "bad");
	gtk_widget_set_sensitive(g->next_btn, st == EIMZA_CODE_OK && !g->busy);
	OPENSSL_cleanse(digits, sizeof(digits));
}

void gui_on_next(GtkWidget *w, struct gui *g)
{
	if (g->busy ||
	    eimza_code_check(gtk_editable_get_text(g->code_entry), g->digits, NULL) != EIMZA_CODE_OK)
		return;
	claim(g);
}

static void pin_key(struct gui *g, const char *key)
{
	if (!g->have_sess || g->busy || eimza_session_remaining(&g->sess) <= 0)
		return;
	if (streq(key, "Temizle"))
		pin_wipe(g);
	else if (streq(key, "←")) {
		if (g->pin_len > 0)
			g->pin[--g->pin_len] = '\0';
	} else if (key[0] >= '0' && key[0] <= '9' && !key[1] && g->pin_len < GUI_PIN_MAX)
		g->pin[g->pin_len++] = key[0];
	gui_update_sign(g);
}

void gui_on_keypad(GtkButton *b, struct gui *g)
{
	pin_key(g, g_object_get_data(G_OBJECT(b), "key"));
}

gboolean gui_on_key(GtkEventControllerKey *c, guint keyval, guint keycode, GdkModifierType st,
		    struct gui *g)
{
	guint32 ch = gdk_keyval_to_unicode(keyval);
	char key[2] = { 0 };

	if (!streq(gtk_stack_get_visible_child_name(g->stack), "sign"))
		return FALSE;
	if (st & (GDK_CONTROL_MASK | GDK_ALT_MASK))
		return FALSE;
	if (ch >= '0' && ch <= '9') {
		key[0] = (char)ch;
		pin_key(g, key);
		return TRUE;
	}
	switch (keyval) {
	case GDK_KEY_BackSpace:
		pin_key(g, "←");
		return TRUE;
	case GDK_KEY_Escape:
	case GDK_KEY_Delete:
		pin_key(g, "Temizle");
		return TRUE;
	case GDK_KEY_Return:
	case GDK_KEY_KP_Enter:
		if (gtk_widget_get_sensitive(g->sign_btn))
			gui_on_sign(GTK_BUTTON(g->sign_btn), g);
		return TRUE;
	}
	return FALSE;
}

void gui_on_cert_selected(GtkListBox *box, GtkListBoxRow *row, struct gui *g)
{
	if (g->busy)
		return;
	g->cert = row ? GPOINTER_TO_INT(g_object_get_data(G_OBJECT(row), "cert")) : -1;
	if (g->cert >= 0 && (!g->have_cards || (size_t)g->cert >= g->cards.n_certs ||
			     !g->cards.certs[g->cert].fits))
		g->cert = -1;
	gui_update_sign(g);
}

void gui_on_relay_toggled(GtkCheckButton *b, struct gui *g)
{
	gui_update_sign(g);
}

/* PIN'İ YENİLE: the new PIN (its rules, the card's limits), then the same
 * again, then the reset in the worker. */
static void on_new_pin(struct gui *g)
{
	struct eimza_error err;
	unsigned min = 6, max = 8;
	struct job *j;

	if (g->pin_phase == 0) {
		if (eimza_pin_limits(&g->cards, (size_t)g->cert, &min, &max) < 0)
			min = 6, max = 8;
		if (eimza_pin_check(g->pin, min, max, &err) < 0) {
			pin_wipe(g);
			gui_show_failure(g, "Yeni PIN Uygun Değil", err.message, NULL,
					 "PIN'i Tekrar Gir", GUI_NEXT_PIN);
			return;
		}
		memcpy(g->new_pin, g->pin, sizeof(g->new_pin));
		pin_wipe(g);
		g->pin_phase = 1;
		gui_update_sign(g);
		return;
	}
	if (!streq(g->pin, g->new_pin)) {
		pin_wipe(g);
		new_pin_wipe(g);
		gui_show_failure(g, "PIN'ler Aynı Değil", "Girdiğiniz iki PIN aynı değil. Yeni PIN "
				 "kodunuzu yeniden giriniz.", NULL, "PIN'i Tekrar Gir", GUI_NEXT_PIN);
		return;
	}
	j = g_new0(struct job, 1);
	j->kind = JOB_PIN;
	j->cert = (size_t)g->cert;
	memcpy(j->pin, g->new_pin, sizeof(j->pin));
	pin_wipe(g);
	new_pin_wipe(g);
	job_start(g, j);
	gui_update_sign(g);
}

void gui_on_sign(GtkButton *b, struct gui *g)
{
	struct job *j;

	if (!gtk_widget_get_sensitive(g->sign_btn) || g->busy || g->cert < 0 ||
	    eimza_session_remaining(&g->sess) <= 0)
		return;
	if (g->pin_reset) {
		on_new_pin(g);
		return;
	}
	j = g_new0(struct job, 1);
	j->kind = JOB_SIGN;
	j->cert = (size_t)g->cert;
	memcpy(j->pin, g->pin, sizeof(j->pin));
	pin_wipe(g);	/* the worker's copy is wiped as soon as the card has it */
	job_start(g, j);
	gui_update_sign(g);
}

static void on_save_response(GtkNativeDialog *d, int response, gpointer data)
{
	struct gui *g = data;
	char buf[1024];

	if (response == GTK_RESPONSE_ACCEPT) {
		GFile *f = gtk_file_chooser_get_file(GTK_FILE_CHOOSER(d));
		char *path = f ? g_file_get_path(f) : NULL;
		int r = path ? eimza_save_signed(path, g->sigs) : -EINVAL;

		if (r < 0)
			snprintf(buf, sizeof(buf), "İmzalı içerik kaydedilemedi: %s", strerror(-r));
		else
			snprintf(buf, sizeof(buf), "İmzalı içerik kaydedildi: %s", path);
		gtk_label_set_text(g->ok_saved, buf);
		g_free(path);
		if (f)
			g_object_unref(f);
	}
	g_object_unref(d);
}

void gui_on_save(GtkButton *b, struct gui *g)
{
	GtkFileChooserNative *d;

	if (!g->sigs)
		return;
	d = gtk_file_chooser_native_new("İmzalı İçeriği kaydet", g->window,
					GTK_FILE_CHOOSER_ACTION_SAVE, "Kaydet", "Vazgeç");
	gtk_file_chooser_set_current_name(GTK_FILE_CHOOSER(d), "imzali-icerik.p7s");
	g_signal_connect(d, "response", G_CALLBACK(on_save_response), g);
	gtk_native_dialog_show(GTK_NATIVE_DIALOG(d));
}

void gui_on_close(GtkButton *b, struct gui *g)
{
	gtk_window_destroy(g->window);
}

void gui_on_new_code(GtkButton *b, struct gui *g)
{
	if (!g->busy)
		to_code_page(g);
}

void gui_on_fail_action(GtkButton *b, struct gui *g)
{
	struct job *j;

	if (g->busy)
		return;
	switch (g->fail_next) {
	case GUI_NEXT_CLOSE:
		gtk_window_destroy(g->window);
		return;
	case GUI_NEXT_CODE:
		to_code_page(g);
		return;
	case GUI_NEXT_PIN:
		pin_wipe(g);
		gui_show_page(g, "sign");
		gui_update_sign(g);
		return;
	case GUI_NEXT_CARDS:
		gui_show_page(g, "sign");
		read_cards(g);
		return;
	case GUI_NEXT_CLAIM:
		gui_show_page(g, "code");
		gui_on_next(NULL, g);
		return;
	case GUI_NEXT_SUBMIT:
		j = g_new0(struct job, 1);
		j->kind = JOB_SUBMIT;
		job_start(g, j);
		return;
	}
}

static void on_activate(GtkApplication *gapp, gpointer data)
{
	struct gui *g = data;
	const char *why = NULL;

	if (g->window) {
		gtk_window_present(g->window);
		return;
	}
	gui_build(g);
	gtk_window_present(g->window);
	if (!g->app->uri) {
		gtk_widget_grab_focus(GTK_WIDGET(g->code_entry));
		return;
	}
	/* A link from the page: the code only; straight to Sözleşme. */
	if (eimza_link_parse(g->app->uri, g->digits, &why) < 0) {
		gui_show_failure(g, "Bağlantı Açılmadı", why, NULL, "Kodu Elle Gir", GUI_NEXT_CODE);
		return;
	}
	{
		char shown[32];

		code_format_groups(g->digits, shown, sizeof(shown));
		gtk_editable_set_text(g->code_entry, shown);
	}
	claim(g);
}

int eimza_gui(struct eimza *app, int argc, char **argv)
{
	struct gui g = { .app = app, .cert = -1 };
	char *gargv[] = { (char *)"eimza", NULL };
	int status;

	if (argc > 1) {
		fprintf(stderr, "eimza gui: argüman almaz (bağlantı için: eimza --uri BAĞLANTI)\n");
		return EIMZA_EXIT_USAGE;
	}
	if (eimza_app_config(app, true) < 0)
		return EIMZA_EXIT_USAGE;
	if (!gtk_init_check()) {
		fprintf(stderr, "eimza: ekran açılamadı (DISPLAY). Komut satırından 'eimza sign' "
				"kullanabilirsiniz.\n");
		return EIMZA_EXIT_USAGE;
	}
	g_set_prgname("eimza");
	g_set_application_name("e-İmza Uygulaması");
	/* NON_UNIQUE: every link opens its own window (no D-Bus name to own). */
	g.gapp = gtk_application_new("tr.eonay.Eimza", G_APPLICATION_NON_UNIQUE);
	g_signal_connect(g.gapp, "activate", G_CALLBACK(on_activate), &g);
	status = g_application_run(G_APPLICATION(g.gapp), 1, gargv);
	g_object_unref(g.gapp);
	/* Closed while a worker still holds the cards and the session: leave
	 * them to the process exit (the PIN was wiped when signing began). */
	if (g.busy)
		pin_wipe(&g);
	else
		session_drop(&g);
	OPENSSL_cleanse(g.digits, sizeof(g.digits));
	return status == 0 ? EIMZA_EXIT_OK : EIMZA_EXIT_ERROR;
}
