/* applications.c - the application state machine (see applications.h):
 * the names, the ONE transition table, and the rows of `applications`.
 * The transitions themselves (fire, produce, release) are in
 * applications-fire.c. */
#include "domain/applications.h"

#include <jansson.h>
#include <stdio.h>

#include "common/tckn.h"
#include "domain/password.h"
#include "store/audit.h"

static const char *const state_names[] = {
	[APP_DRAFT] = "draft",
	[APP_SMS_VERIFIED] = "sms_verified",
	[APP_AWAITING_PAPER] = "awaiting_paper",
	[APP_RECEIVED] = "received",
	[APP_WAITING_WINDOW] = "waiting_window",
	[APP_APPROVED] = "approved",
	[APP_REJECTED] = "rejected",
	[APP_PRODUCED] = "produced",
	[APP_SHIPPED] = "shipped",
	[APP_DELIVERED] = "delivered",
	[APP_CANCELLED] = "cancelled",
};
_Static_assert(ELEMENTSOF(state_names) == _APP_STATE_MAX, "a state without its name");

/* What the applicant sees (Başvuru Durum Sorgulama, notifications). */
static const char *const state_labels[] = {
	[APP_DRAFT] = "Başvuru formu onaylandı, SMS onayı bekleniyor",
	[APP_SMS_VERIFIED] = "Başvuru formunun onaylanması bekleniyor",
	[APP_AWAITING_PAPER] = "Islak imzalı başvuru formunuz bekleniyor",
	[APP_RECEIVED] = "Başvurunuz alındı",
	[APP_WAITING_WINDOW] = "Sırada bekliyor",
	[APP_APPROVED] = "Onaylandı",
	[APP_REJECTED] = "Reddedildi",
	[APP_PRODUCED] = "Kartınız üretildi",
	[APP_SHIPPED] = "Kargoya verildi",
	[APP_DELIVERED] = "Teslim edildi",
	[APP_CANCELLED] = "İptal edildi",
};
_Static_assert(ELEMENTSOF(state_labels) == _APP_STATE_MAX, "a state without its label");

static const char *const event_names[] = {
	[APP_EV_SMS_VERIFIED] = "sms_verified",
	[APP_EV_PAPER_CHOSEN] = "paper_chosen",
	[APP_EV_SIGNED] = "signed",
	[APP_EV_PAPER_RECEIVED] = "paper_received",
	[APP_EV_APPROVE] = "approve",
	[APP_EV_DEFER] = "defer",
	[APP_EV_RELEASE] = "release",
	[APP_EV_REJECT] = "reject",
	[APP_EV_PRODUCE] = "produce",
	[APP_EV_SHIP] = "ship",
	[APP_EV_DELIVER] = "deliver",
	[APP_EV_CANCEL] = "cancel",
};
_Static_assert(ELEMENTSOF(event_names) == _APP_EV_MAX, "an event without its name");

static const char *const kind_names[] = { "new", "renewal", "lost", "other" };
static const char *const kind_labels[] = { "Yeni", "Yenileme", "Kayıp Çalıntı", "Diğer" };
_Static_assert(ELEMENTSOF(kind_names) == _APP_KIND_MAX, "a kind without its name");
_Static_assert(ELEMENTSOF(kind_labels) == _APP_KIND_MAX, "a kind without its label");

static const char *const method_names[] = { "", "eonay", "esign", "paper" };
static const char *const method_labels[] = { "", "E-Onaylı", "Elektronik İmzalı", "Islak İmzalı" };
_Static_assert(ELEMENTSOF(method_names) == _APP_METHOD_MAX, "a method without its name");
_Static_assert(ELEMENTSOF(method_labels) == _APP_METHOD_MAX, "a method without its label");

#define P APP_BY_PORTAL
#define O APP_BY_OPERATOR
#define S APP_BY_SCHEDULER

/* THE transition table: every move an application can make, who may make
 * it and whether the applicant is told.  Nothing else changes a state. */
static const struct application_transition transitions[] = {
	{ APP_DRAFT, APP_EV_SMS_VERIFIED, APP_SMS_VERIFIED, P, false },
	{ APP_SMS_VERIFIED, APP_EV_SIGNED, APP_RECEIVED, P, true },
	{ APP_SMS_VERIFIED, APP_EV_PAPER_CHOSEN, APP_AWAITING_PAPER, P, true },
	{ APP_AWAITING_PAPER, APP_EV_SIGNED, APP_RECEIVED, P, true },
	{ APP_AWAITING_PAPER, APP_EV_PAPER_RECEIVED, APP_RECEIVED, O, true },
	{ APP_RECEIVED, APP_EV_APPROVE, APP_APPROVED, O, true },
	{ APP_RECEIVED, APP_EV_DEFER, APP_WAITING_WINDOW, O, true },
	{ APP_WAITING_WINDOW, APP_EV_RELEASE, APP_APPROVED, S, true },
	{ APP_AWAITING_PAPER, APP_EV_REJECT, APP_REJECTED, O, true },
	{ APP_RECEIVED, APP_EV_REJECT, APP_REJECTED, O, true },
	{ APP_WAITING_WINDOW, APP_EV_REJECT, APP_REJECTED, O, true },
	{ APP_APPROVED, APP_EV_REJECT, APP_REJECTED, O, true },
	{ APP_APPROVED, APP_EV_PRODUCE, APP_PRODUCED, O, true },
	{ APP_PRODUCED, APP_EV_SHIP, APP_SHIPPED, O, true },
	{ APP_SHIPPED, APP_EV_DELIVER, APP_DELIVERED, O, true },
	{ APP_DRAFT, APP_EV_CANCEL, APP_CANCELLED, P | O | S, false },
	{ APP_SMS_VERIFIED, APP_EV_CANCEL, APP_CANCELLED, P | O | S, false },
	{ APP_AWAITING_PAPER, APP_EV_CANCEL, APP_CANCELLED, P | O | S, true },
};

#undef P
#undef O
#undef S

bool application_state_unsigned(enum application_state s)
{
	return s == APP_DRAFT || s == APP_SMS_VERIFIED || s == APP_AWAITING_PAPER;
}

static int parse(const char *const *names, size_t n, const char *s, int *ret)
{
	for (size_t i = 0; s && i < n; i++)
		if (streq(names[i], s)) {
			*ret = (int)i;
			return 0;
		}
	return -EINVAL;
}

const char *application_state_str(enum application_state s)
{
	return (unsigned)s < _APP_STATE_MAX ? state_names[s] : "?";
}

int application_state_parse(const char *s, enum application_state *ret)
{
	int v, r = parse(state_names, _APP_STATE_MAX, s, &v);

	if (r == 0)
		*ret = (enum application_state)v;
	return r;
}

const char *application_event_str(enum application_event e)
{
	return (unsigned)e < _APP_EV_MAX ? event_names[e] : "?";
}

int application_event_parse(const char *s, enum application_event *ret)
{
	int v, r = parse(event_names, _APP_EV_MAX, s, &v);

	if (r == 0)
		*ret = (enum application_event)v;
	return r;
}

const char *application_kind_str(enum application_kind k)
{
	return (unsigned)k < _APP_KIND_MAX ? kind_names[k] : "?";
}

int application_kind_parse(const char *s, enum application_kind *ret)
{
	int v, r = parse(kind_names, _APP_KIND_MAX, s, &v);

	if (r == 0)
		*ret = (enum application_kind)v;
	return r;
}

const char *application_method_str(enum application_method m)
{
	return (unsigned)m < _APP_METHOD_MAX ? method_names[m] : "?";
}

int application_method_parse(const char *s, enum application_method *ret)
{
	int v, r = parse(method_names, _APP_METHOD_MAX, s ? s : "", &v);

	if (r == 0)
		*ret = (enum application_method)v;
	return r;
}

const char *application_state_label(enum application_state s)
{
	return (unsigned)s < _APP_STATE_MAX ? state_labels[s] : "?";
}

const char *application_kind_label(enum application_kind k)
{
	return (unsigned)k < _APP_KIND_MAX ? kind_labels[k] : "?";
}

const char *application_method_label(enum application_method m)
{
	return (unsigned)m < _APP_METHOD_MAX ? method_labels[m] : "?";
}

bool application_state_open(enum application_state s)
{
	return s != APP_DELIVERED && s != APP_REJECTED && s != APP_CANCELLED;
}

const struct application_transition *application_transitions(size_t *ret_n)
{
	*ret_n = ELEMENTSOF(transitions);
	return transitions;
}

const struct application_transition *application_transition_find(enum application_state from,
								  enum application_event event)
{
	for (size_t i = 0; i < ELEMENTSOF(transitions); i++)
		if (transitions[i].from == from && transitions[i].event == event)
			return &transitions[i];
	return NULL;
}

unsigned application_event_sources(enum application_event e)
{
	unsigned m = 0;

	for (size_t i = 0; i < ELEMENTSOF(transitions); i++)
		if (transitions[i].event == e)
			m |= 1u << transitions[i].from;
	return m;
}
