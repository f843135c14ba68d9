/* gui.h - the window's state, shared by gui.c (the flow: claim, cards,
 * PIN, signing, failures) and gui-pages.c (the widgets of each screen).
 * Internal to eimza; everything that talks to the server or the card is
 * libeimza-core's. */
#pragma once
#include "eimza/core/cards.h"
#include "eimza/core/session.h"
#include "eimza/eimza.h"

/* After common/util.h: GLib replaces its MIN/MAX with equal ones. */
#include <gtk/gtk.h>

#define GUI_PIN_MAX 32

/* What the button of a failure screen does. */
enum gui_next {
	GUI_NEXT_CLOSE,		/* Uygulamayı Kapat */
	GUI_NEXT_CODE,		/* back to Doğrulama Kodu, empty */
	GUI_NEXT_PIN,		/* back to the PIN, same session */
	GUI_NEXT_CARDS,		/* read the cards again (Tekrar Dene) */
	GUI_NEXT_CLAIM,		/* claim the same code again (server unreachable) */
	GUI_NEXT_SUBMIT,	/* submit the same signatures again */
};

struct gui {
	struct eimza *app;
	GtkApplication *gapp;
	GtkWindow *window;
	GtkStack *stack;

	/* Doğrulama Kodu */
	GtkEditable *code_entry;
	GtkLabel *code_hint;
	GtkWidget *next_btn;

	/* Sözleşme, Sertifika Seçimi, PIN Kodu */
	GtkBox *texts_box;
	GtkLabel *purpose, *created, *signing, *remaining, *who, *details;
	GtkWidget *relay_box;
	GtkCheckButton *relay_ok;
	GtkListBox *cert_list;
	GtkLabel *cert_note;
	GtkLabel *pin_dots;
	GtkWidget *sign_btn;
	GtkLabel *sign_note;
	GtkWidget *new_code_btn;	/* shown when the time is over */

	/* Result */
	GtkLabel *ok_title, *ok_text, *ok_saved;

	/* One screen per failure */
	GtkLabel *fail_title, *fail_text, *fail_detail;
	GtkButton *fail_action;
	GtkWidget *fail_close;
	enum gui_next fail_next;

	/* State */
	char digits[EIMZA_CODE_DIGITS + 1];	/* the code until claimed */
	char pin[GUI_PIN_MAX + 1];	/* typed PIN, wiped after use */
	size_t pin_len;
	struct eimza_session sess;
	bool have_sess;
	struct eimza_cards cards;
	bool have_cards;
	int cert;		/* index in cards.certs, -1 none */
	json_t *sigs;		/* the signatures, for saving and resubmitting */
	/* PIN Oluşturma / Kilit Çözme (a pin-reset session, core/pin.h): the
	 * same screen, the new PIN typed twice on the keypad */
	bool pin_reset;
	int pin_phase;		/* 0: the new PIN, 1: the same again */
	char new_pin[GUI_PIN_MAX + 1];	/* the first entry, wiped after use */
	guint tick;
	bool busy;
};

/* gui-pages.c: builds the window and its pages ("code", "sign", "ok",
 * "fail"), connecting the handlers below. */
void gui_build(struct gui *g);
/* Shows one page ("code", "sign", "ok", "fail"); the others are hidden. */
void gui_show_page(struct gui *g, const char *name);
/* Fills the Sözleşme page from g->sess. */
void gui_show_session(struct gui *g);
/* Fills the certificate list from g->cards and preselects g->cert. */
void gui_show_certs(struct gui *g);
/* Shows a failure screen. */
void gui_show_failure(struct gui *g, const char *title, const char *text, const char *detail,
		      const char *action, enum gui_next next);

/* gui.c: handlers. */
void gui_on_code_changed(GtkEditable *e, struct gui *g);
void gui_on_next(GtkWidget *w, struct gui *g);
void gui_on_keypad(GtkButton *b, struct gui *g);
gboolean gui_on_key(GtkEventControllerKey *c, guint keyval, guint keycode, GdkModifierType st,
		    struct gui *g);
void gui_on_cert_selected(GtkListBox *box, GtkListBoxRow *row, struct gui *g);
void gui_on_relay_toggled(GtkCheckButton *b, struct gui *g);
void gui_on_sign(GtkButton *b, struct gui *g);
void gui_on_save(GtkButton *b, struct gui *g);
void gui_on_close(GtkButton *b, struct gui *g);
void gui_on_fail_action(GtkButton *b, struct gui *g);
void gui_on_new_code(GtkButton *b, struct gui *g);
/* Updates the PIN dots and whether İMZALA can be pressed. */
void gui_update_sign(struct gui *g);
