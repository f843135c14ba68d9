/* appdoc.c - form summary and printable PDF of an application (see
 * appdoc.h).  The PDF is drawn with cairo's PDF surface and laid out
 * with pango (fonts through fontconfig: DejaVu Sans, which has every
 * Turkish letter). */
#include "domain/appdoc.h"
#include "domain/cairobuf.h"

/* util.h first: glib #undefs and redefines MIN and MAX alike. */
#include "common/util.h"
#include "domain/appform.h"

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <pango/pangocairo.h>
#include <stdio.h>

#define DECLARATION "Aşağıda yazılı bütün bilgilerin doğru olduğunu, aksi halde doğacak bütün " \
	"zararlardan sorumlu olduğumu beyan ederim. Bu formdaki bilgilere göre şahsıma bir " \
	"nitelikli elektronik sertifika hazırlanmasını talep ederim."

struct sbuf {
	char *p;
	size_t n, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t k = strlen(s);

	if (b->oom)
		return;
	if (b->n + k + 1 > b->cap) {
		size_t cap = MAX(b->cap * 2, b->n + k + 256);
		char *p = realloc(b->p, cap);

		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, k + 1);
	b->n += k;
}

struct sum_ctx {
	const json_t *form;
	struct sbuf *b;
	const char *section;
};

static void sum_field(const char *name, const char *label, const char *section, void *ud)
{
	struct sum_ctx *c = ud;
	const char *v = json_string_value(json_object_get(c->form, name));

	if (!c->section || !streq(c->section, section)) {
		sb_add(c->b, "\n* ");
		sb_add(c->b, section);
		sb_add(c->b, "\n");
		c->section = section;
	}
	sb_add(c->b, label);
	sb_add(c->b, ": ");
	/* a value's further lines (an address) indented: never read as a
	 * field of their own in the signed text */
	for (const char *p = v ? appform_value_label(name, v) : "-"; *p;) {
		size_t k = strcspn(p, "\n");
		char *line = strndup(p, k);

		if (!line) {
			c->b->oom = true;
			return;
		}
		sb_add(c->b, line);
		free(line);
		p += k;
		if (*p == '\n') {
			sb_add(c->b, "\n    ");
			p++;
		}
	}
	sb_add(c->b, "\n");
}

int appdoc_summary(const json_t *form, const char *application_id, char **ret)
{
	struct sbuf b = { 0 };
	struct sum_ctx c = { form, &b, NULL };

	sb_add(&b, "NİTELİKLİ ELEKTRONİK SERTİFİKA BAŞVURU FORMU\n\n");
	sb_add(&b, DECLARATION);
	sb_add(&b, "\n\nBaşvuru No: ");
	sb_add(&b, application_id ? application_id : "-");
	sb_add(&b, "\n");
	appform_foreach(sum_field, &c);
	if (b.oom) {
		free(b.p);
		return -ENOMEM;
	}
	*ret = b.p;
	return 0;
}

#define PAGE_W 595.0
#define PAGE_H 842.0
#define MARGIN 50.0

/* Draws text at (x, *y) in width w with font desc; *y moves below it. */
static void text_at(cairo_t *cr, const char *font, double x, double *y, double w,
		    const char *text)
{
	PangoLayout *l = pango_cairo_create_layout(cr);
	PangoFontDescription *fd = pango_font_description_from_string(font);
	int pw, ph;

	pango_layout_set_font_description(l, fd);
	pango_layout_set_width(l, (int)(w * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, text, -1);
	cairo_move_to(cr, x, *y);
	pango_cairo_show_layout(cr, l);
	pango_layout_get_size(l, &pw, &ph);
	*y += (double)ph / PANGO_SCALE;
	pango_font_description_free(fd);
	g_object_unref(l);
}

struct pdf_ctx {
	cairo_t *cr;
	const json_t *form;
	const char *section;
	double y;
};

static void pdf_field(const char *name, const char *label, const char *section, void *ud)
{
	struct pdf_ctx *c = ud;
	const char *v = json_string_value(json_object_get(c->form, name));
	double y0, y1;

	if (!c->section || !streq(c->section, section)) {
		c->y += 8;
		cairo_set_source_rgb(c->cr, 0.85, 0.89, 0.95);
		cairo_rectangle(c->cr, MARGIN, c->y, PAGE_W - 2 * MARGIN, 18);
		cairo_fill(c->cr);
		cairo_set_source_rgb(c->cr, 0, 0, 0);
		c->y += 2;
		text_at(c->cr, "DejaVu Sans Bold 10", MARGIN + 4, &c->y, PAGE_W - 2 * MARGIN,
			section);
		c->y += 3;
		c->section = section;
	}
	y0 = y1 = c->y;
	text_at(c->cr, "DejaVu Sans 9", MARGIN + 4, &y0, 170, label);
	text_at(c->cr, "DejaVu Sans 9", MARGIN + 180, &y1, PAGE_W - 2 * MARGIN - 184,
		v ? appform_value_label(name, v) : "-");
	c->y = MAX(y0, y1) + 3;
	cairo_set_source_rgb(c->cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(c->cr, 0.5);
	cairo_move_to(c->cr, MARGIN, c->y - 1);
	cairo_line_to(c->cr, PAGE_W - MARGIN, c->y - 1);
	cairo_stroke(c->cr);
	cairo_set_source_rgb(c->cr, 0, 0, 0);
}

static void signature_lines(cairo_t *cr, double y, const json_t *form)
{
	_cleanup_free_ char *name = strdup_printf(
		"Ad Soyad: %s %s", json_string_value(json_object_get(form, "given_name")) ?: "",
		json_string_value(json_object_get(form, "surname")) ?: "");
	double yy = y;

	text_at(cr, "DejaVu Sans 10", MARGIN, &yy, 250, "Tarih: ....../....../..........");
	yy = y;
	text_at(cr, "DejaVu Sans 10", PAGE_W / 2, &yy, 250, name ? name : "Ad Soyad:");
	text_at(cr, "DejaVu Sans 10", PAGE_W / 2, &yy, 250, "\nİmza:");
}

int appdoc_pdf(const json_t *form, const char *application_id, const char *ca_name,
	       const char *undertaking, unsigned char **ret_pdf, size_t *ret_len)
{
	_cleanup_free_ char *head = strdup_printf("%s\nBaşvuru No: %s", ca_name ? ca_name : "",
						  application_id ? application_id : "-");
	struct cairo_buf b = { 0 };
	struct pdf_ctx c = { 0 };
	cairo_surface_t *sf;
	cairo_status_t cs;
	double y;

	if (!head)
		return -ENOMEM;
	sf = cairo_pdf_surface_create_for_stream(cairo_buf_write, &b, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(sf, CAIRO_PDF_METADATA_TITLE,
				       "Nitelikli Elektronik Sertifika Başvuru Formu");
	c.cr = cairo_create(sf);
	c.form = form;

	/* Page 1: the form. */
	y = MARGIN;
	text_at(c.cr, "DejaVu Sans 9", MARGIN, &y, PAGE_W - 2 * MARGIN, head);
	y += 6;
	text_at(c.cr, "DejaVu Sans Bold 14", MARGIN, &y, PAGE_W - 2 * MARGIN,
		"Nitelikli Elektronik Sertifika Başvuru Formu");
	y += 6;
	text_at(c.cr, "DejaVu Sans 9", MARGIN, &y, PAGE_W - 2 * MARGIN, DECLARATION);
	c.y = y + 4;
	appform_foreach(pdf_field, &c);
	signature_lines(c.cr, MAX(c.y + 20, PAGE_H - MARGIN - 60), form);
	cairo_show_page(c.cr);

	/* Page 2: the undertaking. */
	y = MARGIN;
	text_at(c.cr, "DejaVu Sans 9", MARGIN, &y, PAGE_W - 2 * MARGIN, head);
	y += 10;
	text_at(c.cr, "DejaVu Sans 10", MARGIN, &y, PAGE_W - 2 * MARGIN,
		undertaking ? undertaking : "");
	signature_lines(c.cr, y + 40, form);
	cairo_show_page(c.cr);

	cairo_destroy(c.cr);
	cairo_surface_finish(sf);
	cs = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (cs != CAIRO_STATUS_SUCCESS || b.oom) {
		free(b.p);
		return b.oom ? -ENOMEM : -EIO;
	}
	*ret_pdf = b.p;
	*ret_len = b.n;
	return 0;
}

void appdoc_fonts_release(void)
{
	pango_cairo_font_map_set_default(NULL);
	cairo_debug_reset_static_data();
	FcFini();
}
