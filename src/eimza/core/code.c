/* code.c - checks the Doğrulama Kodu while it is typed and parses the
 * eimza:// link (see code.h).  Part of libeimza-core. */
#include "eimza/core/code.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/checkdigit.h"

enum eimza_code_state eimza_code_check(const char *typed, char ret_digits[EIMZA_CODE_DIGITS + 1],
				       size_t *ret_n_digits)
{
	size_t n = 0;
	bool bad = false;

	ret_digits[0] = '\0';
	for (const char *p = typed; p && *p; p++) {
		if (*p >= '0' && *p <= '9') {
			if (n < EIMZA_CODE_DIGITS)
				ret_digits[n] = *p;
			n++;
		} else if (*p != ' ' && *p != '-' && *p != '\t' && *p != '\n' && *p != '\r')
			bad = true;
	}
	ret_digits[n < EIMZA_CODE_DIGITS ? n : EIMZA_CODE_DIGITS] = '\0';
	if (ret_n_digits)
		*ret_n_digits = n;
	if (bad)
		return EIMZA_CODE_BAD_CHAR;
	if (n == 0)
		return EIMZA_CODE_EMPTY;
	if (n < EIMZA_CODE_DIGITS)
		return EIMZA_CODE_PARTIAL;
	if (n > EIMZA_CODE_DIGITS)
		return EIMZA_CODE_TOO_LONG;
	return checkdigit_valid(ret_digits, EIMZA_CODE_DIGITS) ? EIMZA_CODE_OK : EIMZA_CODE_TYPO;
}

const char *eimza_code_state_tr(enum eimza_code_state s)
{
	switch (s) {
	case EIMZA_CODE_EMPTY:
		return "Doğrulama kodu 16 rakamdan oluşur.";
	case EIMZA_CODE_PARTIAL:
		return "Kodun tamamını giriniz (16 rakam).";
	case EIMZA_CODE_BAD_CHAR:
		return "Doğrulama kodu yalnızca rakamlardan oluşur.";
	case EIMZA_CODE_TOO_LONG:
		return "Doğrulama kodu 16 rakamdan uzun olamaz.";
	case EIMZA_CODE_TYPO:
		return "Doğrulama kodu hatalı yazılmış. Lütfen tarayıcınızdaki kodu kontrol ediniz.";
	case EIMZA_CODE_OK:
		return "Kod doğru yazılmış. İleri butonuna tıklayınız.";
	}
	return "";
}

int eimza_link_parse(const char *link, char ret_digits[EIMZA_CODE_DIGITS + 1], const char **ret_why)
{
	static const char *const prefixes[] = { "eimza://sign?code=", "eimza://sign/?code=" };
	const char *rest = NULL;
	size_t len;

	ret_digits[0] = '\0';
	*ret_why = "Bu bağlantı geçerli bir e-İmza bağlantısı değil. Doğrulama kodunu tarayıcınızdan "
		   "kopyalayıp uygulamaya yapıştırabilirsiniz.";
	if (!link)
		return -EINVAL;
	len = strnlen(link, EIMZA_LINK_MAX + 1);
	if (len > EIMZA_LINK_MAX) {
		*ret_why = "Bu bağlantı çok uzun; geçerli bir e-İmza bağlantısı değil.";
		return -EINVAL;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncasecmp(link, prefixes[i], strlen(prefixes[i])) == 0)
			rest = link + strlen(prefixes[i]);
	if (!rest) {
		size_t host = strncasecmp(link, "eimza://", 8) == 0 ? strcspn(link + 8, "/?#") : 0;

		/* Anything but "sign" where a host goes (a name, an address, a
		 * port, user@host) is an attempt to name a server. */
		if (host > 0 && (host != 4 || strncasecmp(link + 8, "sign", 4) != 0)) {
			*ret_why = "Bu bağlantı başka bir sunucu adresi içeriyor. e-İmza Uygulaması yalnızca "
				   "ayarlarındaki sunucuya bağlanır; bağlantı açılmadı.";
		}
		return -EINVAL;
	}
	/* Exactly 16 digits and the end: no "&server=", "#", "@", "/". */
	for (size_t i = 0; i < EIMZA_CODE_DIGITS; i++)
		if (rest[i] < '0' || rest[i] > '9')
			return -EINVAL;
	if (rest[EIMZA_CODE_DIGITS] != '\0') {
		if (strchr(rest, '&') || strchr(rest, '@'))
			*ret_why = "Bu bağlantı doğrulama kodundan başka bilgiler (ör. bir sunucu adresi) "
				   "içeriyor. e-İmza Uygulaması yalnızca ayarlarındaki sunucuya bağlanır; "
				   "bağlantı açılmadı.";
		return -EINVAL;
	}
	if (!checkdigit_valid(rest, EIMZA_CODE_DIGITS)) {
		*ret_why = "Bağlantıdaki doğrulama kodu hatalı. Lütfen tarayıcınızdaki kodu kopyalayıp "
			   "uygulamaya yapıştırınız.";
		return -EINVAL;
	}
	memcpy(ret_digits, rest, EIMZA_CODE_DIGITS);
	ret_digits[EIMZA_CODE_DIGITS] = '\0';
	return 0;
}
