/* appdoc.h - the application's documents: the form summary (the text an
 * Elektronik İmzalı Başvuru signs) and the printable PDF of the filled
 * form and the Sertifika Sahibi Taahhütnamesi for Islak İmzalı Başvuru
 * (cairo + pango).  Pure: no store. */
#pragma once
#include <jansson.h>

/* The form as text: a heading, the declaration of the form (seed 002),
 * "Başvuru No", then "Label: value" for every field shown, in form order
 * (option values by their labels).  form is the validated form
 * (appform_validate's clean values). *ret malloc'ed. */
int appdoc_summary(const json_t *form, const char *application_id, char **ret);

/* The PDF (A4): page 1 the filled form, page 2 the undertaking text
 * (undertaking), each with date and signature lines.  *ret_pdf malloc'ed,
 * *ret_len bytes. */
int appdoc_pdf(const json_t *form, const char *application_id, const char *ca_name,
	       const char *undertaking, unsigned char **ret_pdf, size_t *ret_len);

/* Releases the font caches cairo, pango and fontconfig keep for the
 * process (captcha and PDF), at exit: afterwards nothing may draw text
 * again.  For leak checkers (the caches are not leaks). */
void appdoc_fonts_release(void);
