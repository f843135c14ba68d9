/* pin.h - PIN Oluşturma / Kilit Çözme on the holder's card, shared by
 * "eimza pin" and (later) the window: the new PIN's rules, and the reset
 * itself with the SO PIN the server gives for this card and this session
 * only (docs/EIMZA.md, "eimza pin"; the server side is
 * src/domain/pinreset.h).  Part of libeimza-core (no GTK). */
#pragma once
#include "eimza/core/cards.h"
#include "eimza/core/session.h"

/* The lengths a new PIN may have on the card of cert: 6 to 8 digits,
 * narrowed to what the card takes. */
int eimza_pin_limits(struct eimza_cards *c, size_t cert, unsigned *ret_min, unsigned *ret_max);

/* Checks a new PIN: digits only, length in [min, max], not one digit
 * repeated (111111), not a run up or down (123456, 987654, also across
 * 9-0).  0, or -EINVAL with err (EIMZA_FAIL_PIN_WRONG, the Turkish
 * reason). */
int eimza_pin_check(const char *pin, unsigned min, unsigned max, struct eimza_error *err);

/* Where eimza_pin_reset() stops on purpose (tests of interrupted resets:
 * "eimza pin" takes it from $EIMZA_TEST_STOP): after the SO PINs were
 * received, after the new user PIN was set, after the new SO PIN was set.
 * EIMZA_STOP_NONE in normal use. */
enum eimza_pin_stop { EIMZA_STOP_NONE, EIMZA_STOP_RELEASE, EIMZA_STOP_USER_PIN, EIMZA_STOP_SO_PIN };

/* The reset on the card of cert, for the claimed pin-reset session s:
 * receive the SO PINs (release), set new_pin as the user PIN with the one
 * that opens the card (C_InitPIN), tell the server which one did, tell it
 * the SO PIN is about to change, set the server's new SO PIN, then sign
 * the session's text with the new PIN and submit it (the card's
 * confirmation).  The SO PINs are wiped as soon as they are used and
 * never shown.  0 with *ret_message (the server's "İşleminiz
 * Başarılıdır. ..."); <0 with err.  -EINTR at stop. */
int eimza_pin_reset(struct eimza_cards *c, size_t cert, const struct eimza_session *s,
		    const char *new_pin, enum eimza_pin_stop stop, char **ret_message,
		    struct eimza_error *err);
