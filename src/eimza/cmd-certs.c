/* cmd-certs.c - eimza certs: the certificates on the cards (through
 * libeimza-core).  eimza verify is in cmd-verify.c. */
#include <stdio.h>
#include <time.h>

#include "eimza/eimza.h"
#include "eimza/core/cards.h"

int eimza_certs(struct eimza *app, int argc, char **argv)
{
	struct eimza_cards cards = { 0 };
	struct eimza_error err = { 0 };
	size_t shown = 0;

	if (argc > 1 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
		printf("Kullanım: eimza [--module YOL] certs\n\n"
		       "Ayarlardaki (ya da --module ile verilen) PKCS#11 modüllerinin bütün\n"
		       "kartlarındaki sertifikaları listeler.  Kart bulunamazsa 6 ile çıkar.\n");
		return EIMZA_EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "eimza certs: argüman almaz\n");
		return EIMZA_EXIT_USAGE;
	}
	if (eimza_app_config(app, false) < 0)
		return EIMZA_EXIT_USAGE;
	if (eimza_cards_open(&app->cfg, NULL, &cards, &err) < 0) {
		fprintf(stderr, "eimza: %s\n", err.message);
		return EIMZA_EXIT_CARD;
	}
	for (size_t i = 0; i < cards.n_certs; i++) {
		const struct eimza_cert *e = &cards.certs[i];
		char until[32];

		if (!e->holder) {
			printf("%-12s (bir NES sertifikası değil)\n", e->token_label);
			continue;
		}
		eimza_format_time(e->info.not_after, until);
		printf("%-12s %s  T.C. %s  seri %s  son geçerlilik %s%s\n", e->token_label,
		       e->info.common_name, e->info.tckn, e->info.serial_hex, until,
		       e->expired ? "  (SÜRESİ DOLMUŞ)" : "");
		shown++;
	}
	eimza_cards_done(&cards);
	if (shown == 0) {
		fprintf(stderr, "eimza: Takılı kartlarda sertifika bulunamadı.\n");
		return EIMZA_EXIT_CARD;
	}
	return EIMZA_EXIT_OK;
}
