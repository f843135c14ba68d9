/* gui-pages.c - the widgets of the window's screens, with the seeds'
 * texts: Doğrulama Kodu; Sözleşme + Sertifika Seçimi + PIN Kodu (with the
 * on-screen keypad) + İMZALA + Kalan Süre; the result; one failure screen
 * filled per failure.  The flow that moves between them is gui.c's. */
#include <stdio.h>
#include <time.h>

#include "eimza/gui.h"

static const char css[] =
	"window { background: #f4f5f7; }\n"
	".banner { background: #b71c1c; color: white; padding: 10px 18px; }\n"
	".banner .title { font-size: 17px; font-weight: bold; letter-spacing: 1px; }\n"
	".banner .sub { font-size: 11px; }\n"
	".card { background: white; border: 1px solid #d7dbe0; border-radius: 6px; padding: 14px; }\n"
	".h { font-size: 15px; font-weight: bold; color: #b71c1c; }\n"
	".code-entry { font-size: 20px; font-family: monospace; min-height: 40px; }\n"
	".hint { color: #555; }\n"
	".bad { color: #b71c1c; }\n"
	".good { color: #1b5e20; }\n"
	".text { background: #fafafa; border: 1px solid #e0e0e0; border-radius: 4px; padding: 8px; }\n"
	".remaining { font-size: 15px; font-weight: bold; }\n"
	".remaining.low { color: #b71c1c; }\n"
	".relay { background: #ffebee; border: 2px solid #c62828; border-radius: 6px; padding: 10px; }\n"
	".relay label { color: #b71c1c; font-weight: bold; }\n"
	".pin-dots { font-size: 22px; letter-spacing: 6px; min-height: 34px; background: white;"
	"  border: 1px solid #bbb; border-radius: 4px; }\n"
	".keypad button { min-width: 76px; min-height: 36px; font-size: 17px; }\n"
	".orange { background: #ef6c00; color: white; font-weight: bold; font-size: 16px;"
	"  min-height: 44px; border: none; }\n"
	".orange:disabled { background: #cfcfcf; color: #777; }\n"
	".big { font-size: 22px; font-weight: bold; }\n"
	".ok-title { color: #1b5e20; }\n"
	".fail-title { color: #b71c1c; }\n";

static GtkWidget *label(const char *text, const char *cls, gboolean wrap)
{
	GtkWidget *l = gtk_label_new(text);

	gtk_label_set_xalign(GTK_LABEL(l), 0);
	gtk_label_set_wrap(GTK_LABEL(l), wrap);
	if (wrap) {
		/* Wrap instead of widening the window. */
		gtk_label_set_wrap_mode(GTK_LABEL(l), PANGO_WRAP_WORD_CHAR);
		gtk_label_set_max_width_chars(GTK_LABEL(l), 40);
	}
	if (cls)
		gtk_widget_add_css_class(l, cls);
	return l;
}

static GtkWidget *vbox(int spacing)
{
	return gtk_box_new(GTK_ORIENTATION_VERTICAL, spacing);
}

static GtkWidget *card(GtkWidget *child)
{
	GtkWidget *b = vbox(8);

	gtk_widget_add_css_class(b, "card");
	gtk_box_append(GTK_BOX(b), child);
	return b;
}

static GtkWidget *orange(const char *text)
{
	GtkWidget *b = gtk_button_new_with_label(text);

	gtk_widget_add_css_class(b, "orange");
	return b;
}

static GtkWidget *page_code(struct gui *g)
{
	GtkWidget *box = vbox(12), *inner = vbox(10), *entry, *row;

	gtk_widget_set_margin_start(box, 60);
	gtk_widget_set_margin_end(box, 60);
	gtk_widget_set_margin_top(box, 40);
	gtk_widget_set_valign(box, GTK_ALIGN_START);
	gtk_box_append(GTK_BOX(inner), label("Doğrulama Kodu", "h", FALSE));
	gtk_box_append(GTK_BOX(inner),
		       label("Tarayıcınızda bulunan doğrulama kodunu bu kutucuğa giriniz ve ileri "
			     "butonuna tıklayınız.", NULL, TRUE));
	entry = gtk_entry_new();
	gtk_entry_set_max_length(GTK_ENTRY(entry), 40);
	gtk_entry_set_input_purpose(GTK_ENTRY(entry), GTK_INPUT_PURPOSE_DIGITS);
	gtk_entry_set_placeholder_text(GTK_ENTRY(entry), "0000 0000 0000 0000");
	gtk_widget_add_css_class(entry, "code-entry");
	gtk_accessible_update_property(GTK_ACCESSIBLE(entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
				       "Doğrulama Kodu", -1);
	g->code_entry = GTK_EDITABLE(entry);
	g_signal_connect(entry, "changed", G_CALLBACK(gui_on_code_changed), g);
	g_signal_connect(entry, "activate", G_CALLBACK(gui_on_next), g);
	gtk_box_append(GTK_BOX(inner), entry);
	g->code_hint = GTK_LABEL(label("Doğrulama kodu 16 rakamdan oluşur.", "hint", TRUE));
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->code_hint));
	row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 8);
	gtk_widget_set_halign(row, GTK_ALIGN_END);
	g->next_btn = orange("İleri");
	gtk_widget_set_size_request(g->next_btn, 140, -1);
	gtk_widget_set_sensitive(g->next_btn, FALSE);
	g_signal_connect(g->next_btn, "clicked", G_CALLBACK(gui_on_next), g);
	gtk_box_append(GTK_BOX(row), g->next_btn);
	gtk_box_append(GTK_BOX(inner), row);
	gtk_box_append(GTK_BOX(box), card(inner));
	return box;
}

static GtkWidget *keypad(struct gui *g)
{
	static const char *const keys[] = { "1", "2", "3", "4", "5", "6", "7", "8", "9",
					    "Temizle", "0", "←" };
	GtkWidget *grid = gtk_grid_new();

	gtk_widget_add_css_class(grid, "keypad");
	gtk_grid_set_row_spacing(GTK_GRID(grid), 6);
	gtk_grid_set_column_spacing(GTK_GRID(grid), 6);
	gtk_widget_set_halign(grid, GTK_ALIGN_CENTER);
	for (int i = 0; i < 12; i++) {
		GtkWidget *b = gtk_button_new_with_label(keys[i]);

		gtk_widget_set_focus_on_click(b, FALSE);
		if (i == 11)
			gtk_accessible_update_property(GTK_ACCESSIBLE(b), GTK_ACCESSIBLE_PROPERTY_LABEL,
						       "Sil", -1);
		g_object_set_data(G_OBJECT(b), "key", (gpointer)keys[i]);
		g_signal_connect(b, "clicked", G_CALLBACK(gui_on_keypad), g);
		gtk_grid_attach(GTK_GRID(grid), b, i % 3, i / 3, 1, 1);
	}
	return grid;
}

static GtkWidget *page_sign(struct gui *g)
{
	GtkWidget *cols = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 14);
	GtkWidget *left = vbox(8), *right = vbox(8), *scroll, *exp, *certs, *dates, *check, *cs;

	gtk_widget_set_margin_start(cols, 14);
	gtk_widget_set_margin_end(cols, 14);
	gtk_widget_set_margin_top(cols, 14);
	gtk_widget_set_margin_bottom(cols, 14);

	/* Sözleşme */
	gtk_box_append(GTK_BOX(left), label("Sözleşme", "h", FALSE));
	g->purpose = GTK_LABEL(label("", NULL, TRUE));
	gtk_box_append(GTK_BOX(left), GTK_WIDGET(g->purpose));
	g->texts_box = GTK_BOX(vbox(8));
	scroll = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(scroll), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(scroll), GTK_WIDGET(g->texts_box));
	gtk_widget_set_vexpand(scroll, TRUE);
	gtk_box_append(GTK_BOX(left), scroll);
	dates = vbox(2);
	g->created = GTK_LABEL(label("", NULL, FALSE));
	g->signing = GTK_LABEL(label("", NULL, FALSE));
	gtk_box_append(GTK_BOX(dates), GTK_WIDGET(g->created));
	gtk_box_append(GTK_BOX(dates), GTK_WIDGET(g->signing));
	gtk_box_append(GTK_BOX(left), dates);
	g->who = GTK_LABEL(label("", NULL, TRUE));
	gtk_box_append(GTK_BOX(left), GTK_WIDGET(g->who));
	exp = gtk_expander_new("Ayrıntılar");
	gtk_accessible_update_property(GTK_ACCESSIBLE(exp), GTK_ACCESSIBLE_PROPERTY_LABEL,
				       "Ayrıntılar", -1);
	g->details = GTK_LABEL(label("", "hint", TRUE));
	gtk_label_set_selectable(g->details, TRUE);
	gtk_expander_set_child(GTK_EXPANDER(exp), GTK_WIDGET(g->details));
	gtk_box_append(GTK_BOX(left), exp);
	g->relay_box = vbox(6);
	gtk_widget_add_css_class(g->relay_box, "relay");
	gtk_box_append(GTK_BOX(g->relay_box),
		       label("Dikkat: Bu işlem başka bir bilgisayardan başlatılmış olabilir. "
			     "Tarayıcınızda bu işlemi siz başlatmadıysanız, ya da kodu size başka "
			     "biri verdiyse İMZALAMAYINIZ: imzanızla başkası sizin adınıza işlem "
			     "yapabilir.", NULL, TRUE));
	check = gtk_check_button_new_with_label("Bu işlemi kendi tarayıcımda ben başlattım.");
	g->relay_ok = GTK_CHECK_BUTTON(check);
	g_signal_connect(check, "toggled", G_CALLBACK(gui_on_relay_toggled), g);
	gtk_box_append(GTK_BOX(g->relay_box), check);
	gtk_widget_set_visible(g->relay_box, FALSE);
	gtk_box_append(GTK_BOX(left), g->relay_box);

	/* Sertifika Seçimi */
	certs = vbox(6);
	gtk_box_append(GTK_BOX(certs), label("Sertifika Seçimi", "h", FALSE));
	g->cert_list = GTK_LIST_BOX(gtk_list_box_new());
	gtk_list_box_set_selection_mode(g->cert_list, GTK_SELECTION_SINGLE);
	g_signal_connect(g->cert_list, "row-selected", G_CALLBACK(gui_on_cert_selected), g);
	cs = gtk_scrolled_window_new();
	gtk_scrolled_window_set_policy(GTK_SCROLLED_WINDOW(cs), GTK_POLICY_NEVER,
				       GTK_POLICY_AUTOMATIC);
	gtk_scrolled_window_set_min_content_height(GTK_SCROLLED_WINDOW(cs), 136);
	gtk_scrolled_window_set_max_content_height(GTK_SCROLLED_WINDOW(cs), 170);
	gtk_scrolled_window_set_propagate_natural_height(GTK_SCROLLED_WINDOW(cs), TRUE);
	gtk_scrolled_window_set_child(GTK_SCROLLED_WINDOW(cs), GTK_WIDGET(g->cert_list));
	gtk_box_append(GTK_BOX(certs), cs);
	g->cert_note = GTK_LABEL(label("Kartlar okunuyor…", "hint", TRUE));
	gtk_box_append(GTK_BOX(certs), GTK_WIDGET(g->cert_note));
	gtk_box_append(GTK_BOX(right), certs);

	/* PIN Kodu */
	gtk_box_append(GTK_BOX(right), label("PIN Kodu", "h", FALSE));
	g->pin_dots = GTK_LABEL(gtk_label_new(""));
	gtk_widget_add_css_class(GTK_WIDGET(g->pin_dots), "pin-dots");
	gtk_accessible_update_property(GTK_ACCESSIBLE(g->pin_dots), GTK_ACCESSIBLE_PROPERTY_LABEL,
				       "PIN Kodu", -1);
	gtk_box_append(GTK_BOX(right), GTK_WIDGET(g->pin_dots));
	gtk_box_append(GTK_BOX(right), keypad(g));
	g->sign_btn = orange("İMZALA");
	g_signal_connect(g->sign_btn, "clicked", G_CALLBACK(gui_on_sign), g);
	gtk_widget_set_sensitive(g->sign_btn, FALSE);
	gtk_box_append(GTK_BOX(right), g->sign_btn);
	g->sign_note = GTK_LABEL(label("", "hint", TRUE));
	gtk_box_append(GTK_BOX(right), GTK_WIDGET(g->sign_note));
	g->new_code_btn = gtk_button_new_with_label("Yeni Kod Gir");
	g_signal_connect(g->new_code_btn, "clicked", G_CALLBACK(gui_on_new_code), g);
	gtk_widget_set_visible(g->new_code_btn, FALSE);
	gtk_box_append(GTK_BOX(right), g->new_code_btn);
	g->remaining = GTK_LABEL(label("Kalan Süre:", "remaining", FALSE));
	gtk_label_set_xalign(g->remaining, 0.5);
	gtk_box_append(GTK_BOX(right), GTK_WIDGET(g->remaining));

	gtk_widget_set_hexpand(left, TRUE);
	gtk_widget_set_size_request(right, 340, -1);
	gtk_box_append(GTK_BOX(cols), card(left));
	gtk_box_append(GTK_BOX(cols), card(right));
	return cols;
}

static GtkWidget *page_ok(struct gui *g)
{
	GtkWidget *box = vbox(14), *inner = vbox(12), *row, *save, *close;

	gtk_widget_set_margin_start(box, 60);
	gtk_widget_set_margin_end(box, 60);
	gtk_widget_set_margin_top(box, 40);
	g->ok_title = GTK_LABEL(label("İşleminiz Başarılıdır.", "big", TRUE));
	gtk_widget_add_css_class(GTK_WIDGET(g->ok_title), "ok-title");
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->ok_title));
	g->ok_text = GTK_LABEL(label("", NULL, TRUE));
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->ok_text));
	gtk_box_append(GTK_BOX(inner), label("Tarayıcınıza giderek işleminize devam ediniz.", NULL, TRUE));
	g->ok_saved = GTK_LABEL(label("", "hint", TRUE));
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->ok_saved));
	row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 10);
	gtk_widget_set_halign(row, GTK_ALIGN_END);
	save = gtk_button_new_with_label("İmzalı İçeriği kaydet");
	g_signal_connect(save, "clicked", G_CALLBACK(gui_on_save), g);
	close = orange("Uygulamayı Kapat");
	g_signal_connect(close, "clicked", G_CALLBACK(gui_on_close), g);
	gtk_box_append(GTK_BOX(row), save);
	gtk_box_append(GTK_BOX(row), close);
	gtk_box_append(GTK_BOX(inner), row);
	gtk_box_append(GTK_BOX(box), card(inner));
	return box;
}

static GtkWidget *page_fail(struct gui *g)
{
	GtkWidget *box = vbox(14), *inner = vbox(12), *row, *act;

	gtk_widget_set_margin_start(box, 60);
	gtk_widget_set_margin_end(box, 60);
	gtk_widget_set_margin_top(box, 40);
	g->fail_title = GTK_LABEL(label("", "big", TRUE));
	gtk_widget_add_css_class(GTK_WIDGET(g->fail_title), "fail-title");
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->fail_title));
	g->fail_text = GTK_LABEL(label("", NULL, TRUE));
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->fail_text));
	g->fail_detail = GTK_LABEL(label("", "hint", TRUE));
	gtk_box_append(GTK_BOX(inner), GTK_WIDGET(g->fail_detail));
	row = gtk_box_new(GTK_ORIENTATION_HORIZONTAL, 10);
	gtk_widget_set_halign(row, GTK_ALIGN_END);
	g->fail_close = gtk_button_new_with_label("Uygulamayı Kapat");
	g_signal_connect(g->fail_close, "clicked", G_CALLBACK(gui_on_close), g);
	act = orange("Tekrar Dene");
	g->fail_action = GTK_BUTTON(act);
	g_signal_connect(act, "clicked", G_CALLBACK(gui_on_fail_action), g);
	gtk_box_append(GTK_BOX(row), g->fail_close);
	gtk_box_append(GTK_BOX(row), act);
	gtk_box_append(GTK_BOX(inner), row);
	gtk_box_append(GTK_BOX(box), card(inner));
	return box;
}

void gui_build(struct gui *g)
{
	GtkCssProvider *p = gtk_css_provider_new();
	GtkWidget *win, *outer, *banner, *stack, *t, *s;
	GtkEventController *keys;

	gtk_css_provider_load_from_data(p, css, -1);
	gtk_style_context_add_provider_for_display(gdk_display_get_default(), GTK_STYLE_PROVIDER(p),
						   GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
	g_object_unref(p);

	win = gtk_application_window_new(g->gapp);
	g->window = GTK_WINDOW(win);
	gtk_window_set_title(g->window, "e-İmza Uygulaması");
	gtk_window_set_default_size(g->window, 960, 720);
	outer = vbox(0);
	banner = vbox(2);
	gtk_widget_add_css_class(banner, "banner");
	t = label("E-İMZA UYGULAMASI", "title", FALSE);
	s = label("Nitelikli elektronik sertifikanızla imzalayınız", "sub", FALSE);
	gtk_box_append(GTK_BOX(banner), t);
	gtk_box_append(GTK_BOX(banner), s);
	gtk_box_append(GTK_BOX(outer), banner);
	stack = gtk_stack_new();
	g->stack = GTK_STACK(stack);
	gtk_stack_set_transition_type(g->stack, GTK_STACK_TRANSITION_TYPE_NONE);
	gtk_widget_set_vexpand(stack, TRUE);
	gtk_stack_add_named(g->stack, page_code(g), "code");
	gtk_stack_add_named(g->stack, page_sign(g), "sign");
	gtk_stack_add_named(g->stack, page_ok(g), "ok");
	gtk_stack_add_named(g->stack, page_fail(g), "fail");
	gui_show_page(g, "code");
	gtk_box_append(GTK_BOX(outer), stack);
	gtk_window_set_child(g->window, outer);

	/* The physical keyboard types the PIN on the PIN page. */
	keys = gtk_event_controller_key_new();
	gtk_event_controller_set_propagation_phase(keys, GTK_PHASE_CAPTURE);
	g_signal_connect(keys, "key-pressed", G_CALLBACK(gui_on_key), g);
	gtk_widget_add_controller(win, keys);
}

static void clear_box(GtkBox *b)
{
	GtkWidget *c;

	while ((c = gtk_widget_get_first_child(GTK_WIDGET(b))))
		gtk_box_remove(b, c);
}

void gui_show_session(struct gui *g)
{
	const struct eimza_session *s = &g->sess;
	char created[32], buf[1024], day[16], today[16];
	time_t now = time(NULL), ct = (time_t)s->created_at;
	struct tm tm;
	size_t i;
	json_t *t;

	clear_box(g->texts_box);
	json_array_foreach(s->texts, i, t) {
		GtkWidget *b = vbox(4), *txt;

		snprintf(buf, sizeof(buf), "İmzalanacak Metin %zu:", i + 1);
		gtk_box_append(GTK_BOX(b), label(buf, NULL, FALSE));
		gtk_widget_add_css_class(gtk_widget_get_last_child(b), "h");
		txt = label(json_string_value(t), "text", TRUE);
		gtk_box_append(GTK_BOX(b), txt);
		gtk_box_append(g->texts_box, b);
	}
	snprintf(buf, sizeof(buf), "İşlem: %s (T.C. Kimlik No %s)",
		 s->purpose_text ? s->purpose_text : "", s->tckn_masked);
	gtk_label_set_text(g->purpose, buf);
	eimza_format_time(s->created_at, created);
	snprintf(buf, sizeof(buf), "Oluşturma Tarihi: %s", created);
	gtk_label_set_text(g->created, buf);

	/* Who started it, in words: "bugün saat 14:32'de bir web tarayıcısından". */
	localtime_r(&ct, &tm);
	strftime(day, sizeof(day), "%d.%m.%Y", &tm);
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%d.%m.%Y", &tm);
	snprintf(buf, sizeof(buf),
		 "Bu işlem bir web tarayıcısından başlatıldı: %s, saat %.5s. Tarayıcınızda bu "
		 "işlemi siz başlatmadıysanız imzalamayınız.",
		 streq(day, today) ? "bugün" : day, created + 11);
	gtk_label_set_text(g->who, buf);
	snprintf(buf, sizeof(buf),
		 "İşlemi başlatan tarayıcının adresi: %s\n%s%s%sBu uygulamanın sunucuya "
		 "göründüğü adres: %s\nSunucu: %s",
		 s->client_addr ? s->client_addr : "bilinmiyor", s->user_agent ? "Tarayıcı: " : "",
		 s->user_agent ? s->user_agent : "", s->user_agent ? "\n" : "",
		 s->app_addr ? s->app_addr : "bilinmiyor", s->server);
	gtk_label_set_text(g->details, buf);
	gtk_widget_set_visible(g->relay_box, eimza_session_relayed(s));
	gtk_check_button_set_active(g->relay_ok, FALSE);
}

void gui_show_certs(struct gui *g)
{
	GtkListBoxRow *sel = NULL;
	size_t shown = 0;
	GtkWidget *old;

	while ((old = gtk_widget_get_first_child(GTK_WIDGET(g->cert_list))))
		gtk_list_box_remove(g->cert_list, old);
	/* The fitting certificates first, then the others (greyed). */
	for (size_t k = 0; g->have_cards && k < 2 * g->cards.n_certs; k++) {
		size_t i = k % g->cards.n_certs;
		const struct eimza_cert *e = &g->cards.certs[i];
		char line1[512], line2[256], from[32], until[32];
		GtkWidget *row, *b;

		if (e->fits != (k < g->cards.n_certs) || !e->holder)
			continue;
		eimza_format_time(e->info.not_before, from);
		eimza_format_time(e->info.not_after, until);
		snprintf(line1, sizeof(line1), "%s — T.C. %s", e->info.common_name, e->tckn_masked);
		snprintf(line2, sizeof(line2), "Geçerlilik: %.10s – %.10s · Kart: %s%s", from, until,
			 e->token_label,
			 e->expired ? " · SÜRESİ DOLMUŞ" : !e->fits ? " · bu işlem için değil" : "");
		b = vbox(2);
		gtk_box_append(GTK_BOX(b), label(line1, NULL, FALSE));
		gtk_box_append(GTK_BOX(b), label(line2, "hint", TRUE));
		gtk_widget_set_margin_top(b, 4);
		gtk_widget_set_margin_bottom(b, 4);
		gtk_widget_set_margin_start(b, 6);
		row = gtk_list_box_row_new();
		gtk_list_box_row_set_child(GTK_LIST_BOX_ROW(row), b);
		g_object_set_data(G_OBJECT(row), "cert", GINT_TO_POINTER((int)i));
		gtk_widget_set_sensitive(row, e->fits);
		gtk_list_box_append(g->cert_list, row);
		if ((int)i == g->cert)
			sel = GTK_LIST_BOX_ROW(row);
		shown++;
	}
	if (sel)
		gtk_list_box_select_row(g->cert_list, sel);
	gtk_label_set_text(g->cert_note,
			   shown == 0 ? "Takılı kartlarda sertifika bulunamadı."
			   : g->cert < 0 ? "Bu işlem için kullanacağınız sertifikayı seçiniz."
					 : "");
	gtk_widget_set_visible(GTK_WIDGET(g->cert_note), shown == 0 || g->cert < 0);
}

void gui_show_failure(struct gui *g, const char *title, const char *text, const char *detail,
		      const char *action, enum gui_next next)
{
	gtk_label_set_text(g->fail_title, title);
	gtk_label_set_text(g->fail_text, text);
	{
		char *d = g_strdup_printf("Ayrıntı: %s", detail ? detail : "");
		gtk_label_set_text(g->fail_detail, d);
		g_free(d);
	}
	gtk_widget_set_visible(GTK_WIDGET(g->fail_detail), detail && *detail);
	g->fail_next = next;
	gtk_widget_set_visible(GTK_WIDGET(g->fail_action), action != NULL);
	if (action)
		gtk_button_set_label(g->fail_action, action);
	gui_show_page(g, "fail");
	gtk_widget_grab_focus(action ? GTK_WIDGET(g->fail_action) : g->fail_close);
}

void gui_show_page(struct gui *g, const char *name)
{
	static const char *const pages[] = { "code", "sign", "ok", "fail" };

	/* Only the page on screen is visible, so that assistive technology
	 * (and the tests, through AT-SPI) see that page alone. */
	for (size_t i = 0; i < G_N_ELEMENTS(pages); i++)
		gtk_widget_set_visible(gtk_stack_get_child_by_name(g->stack, pages[i]),
				       streq(pages[i], name));
	gtk_stack_set_visible_child_name(g->stack, name);
}
