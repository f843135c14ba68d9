/* refusals.c - HTTP status and Turkish message of every domain refusal.
 *
 * Handlers never choose a status or a text for a refusal themselves: a
 * domain function returns -EACCES with an enum refusal and the handler
 * answers http_reply_refusal().  Adding a refusal is one line in
 * domain/refusal.h, its code in refusal.c and its line here. */
#include "server/refusals.h"

static const struct refusal_reply replies[] = {
	[REFUSAL_NONE] = { 500, "Beklenmeyen bir hata oluştu. Lütfen daha sonra tekrar deneyiniz." },
	[REFUSAL_CODE_TYPO] = { 400, "Doğrulama kodu hatalı yazılmış. Lütfen tarayıcınızdaki kodu kontrol ederek tekrar giriniz." },
	[REFUSAL_CODE_UNKNOWN] = { 404, "Bu doğrulama kodu bulunamadı. Lütfen tarayıcınızdaki kodu kontrol ediniz." },
	[REFUSAL_CODE_EXPIRED] = { 410, "Doğrulama kodunun süresi dolmuş. Tarayıcınızda \"Tekrar Kod Al\" ile yeni bir kod alınız." },
	[REFUSAL_CODE_REPLACED] = { 410, "Bu doğrulama kodu yenilenmiş. Lütfen tarayıcınızda görünen yeni kodu kullanınız." },
	[REFUSAL_CODE_USED] = { 409, "Bu doğrulama kodu daha önce kullanılmış. Tarayıcınızdan yeni bir kod alınız." },
	[REFUSAL_RATE_LIMITED] = { 429, "Çok fazla deneme yapıldı. Lütfen bir süre bekleyip tekrar deneyiniz." },
	[REFUSAL_TOO_MANY_OPEN] = { 429, "Tamamlanmamış çok sayıda imza işleminiz var. Lütfen açık işlemlerinizi tamamlayınız ya da kodların süresinin dolmasını bekleyip tekrar deneyiniz." },
	[REFUSAL_TOKEN_INVALID] = { 403, "İmzalama oturumu bulunamadı. Lütfen doğrulama kodunu yeniden giriniz." },
	[REFUSAL_SESSION_EXPIRED] = { 410, "İmzalama süresi doldu. Tarayıcınızda \"Tekrar Kod Al\" ile yeni bir kod alınız." },
	[REFUSAL_SESSION_CLOSED] = { 409, "Bu imzalama oturumu artık açık değil. Tarayıcınızdan yeni bir kod alınız." },
	[REFUSAL_SIGNATURE_COUNT] = { 400, "Gönderilen imza sayısı imzalanacak metin sayısıyla aynı değil." },
	[REFUSAL_SIGNATURE_MALFORMED] = { 400, "Gönderilen imza okunamadı." },
	[REFUSAL_SIGNATURE_REPLAYED] = { 409, "Bu imza daha önce kullanılmış. Her işlem için yeniden imzalayınız." },
	[REFUSAL_SIGNATURE_INVALID] = { 422, "İmza doğrulanamadı." },
	[REFUSAL_CERT_REVOKED] = { 403, "Sertifikanız iptal edilmiş. Bu sertifika ile imza atılamaz." },
	[REFUSAL_CERT_ON_HOLD] = { 403, "Sertifikanız askıda. Kullanıma açmak için Şifreli Giriş ile giriş yapıp \"Askıdan İndirme\" işlemini yapınız." },
	[REFUSAL_CERT_UNKNOWN] = { 403, "Bu sertifika merkezimizce verilmemiş veya tanınmıyor." },
	[REFUSAL_SIGNING_TIME_SKEW] = { 422, "İmza zamanı bu işlemin zamanıyla uyuşmuyor. Bilgisayarınızın saatini kontrol ediniz." },
	[REFUSAL_CONTENT_MISMATCH] = { 422, "İmzalanan metin bu işlem için verilen metinle aynı değil." },
	[REFUSAL_SIGNER_MISMATCH] = { 403, "İmzalayan sertifika bu işlemi başlatan kişiye ait değil." },
	[REFUSAL_EONAY_ALREADY_ACTIVE] = { 409, "E-Onay'ınız zaten etkin." },
	[REFUSAL_EONAY_NOT_ACTIVE] = { 409, "Etkin bir E-Onay'ınız bulunmuyor." },
	[REFUSAL_NOT_ACCEPTED] = { 400, "Devam etmek için açıklamayı okuyup KABUL EDİYORUM kutusunu işaretleyiniz." },
	[REFUSAL_NOT_LOGGED_IN] = { 401, "Bu işlem için giriş yapmanız gerekiyor." },
	[REFUSAL_BAD_TCKN] = { 400, "T.C. Kimlik No geçersiz." },
	[REFUSAL_BAD_PURPOSE] = { 400, "Geçersiz işlem türü." },
	[REFUSAL_NOT_FOUND] = { 404, "Kayıt bulunamadı." },
	[REFUSAL_CERT_STATE] = { 409, "Bu işlem sertifikanın şu anki durumunda yapılamaz." },
	[REFUSAL_CERT_REASON] = { 400, "Geçersiz iptal nedeni." },
	[REFUSAL_HOLDER_UNKNOWN] = { 404, "Sertifika sahibi bulunamadı." },
	[REFUSAL_CARD_EXISTS] = { 409, "Bu etiketle bir kart zaten var." },
	[REFUSAL_CERT_PROFILE] = { 422, "Sertifika profil denetiminden geçmedi." },
	[REFUSAL_EDEVLET_DISABLED] = { 503, "E-Devlet ile giriş şu anda kullanılamıyor. Lütfen E-imzalı Giriş'i kullanınız." },
	[REFUSAL_EDEVLET_STATE_INVALID] = { 400, "Bu giriş isteği bu tarayıcıdan başlatılmamış veya tanınmıyor. Lütfen Giriş sayfasından yeniden deneyiniz." },
	[REFUSAL_EDEVLET_STATE_USED] = { 409, "Bu giriş isteği daha önce kullanılmış. Lütfen Giriş sayfasından yeniden deneyiniz." },
	[REFUSAL_EDEVLET_STATE_EXPIRED] = { 410, "E-Devlet girişi için verilen süre doldu. Lütfen Giriş sayfasından yeniden deneyiniz." },
	[REFUSAL_EDEVLET_CODE_REUSED] = { 409, "Bu E-Devlet giriş yanıtı daha önce kullanılmış. Lütfen Giriş sayfasından yeniden deneyiniz." },
	[REFUSAL_EDEVLET_CODE_REJECTED] = { 502, "E-Devlet kapısı bu giriş yanıtını kabul etmedi. Lütfen Giriş sayfasından yeniden deneyiniz." },
	[REFUSAL_EDEVLET_CANCELLED] = { 401, "E-Devlet kapısında giriş işlemi iptal edildi." },
	[REFUSAL_EDEVLET_PROVIDER_ERROR] = { 502, "E-Devlet kapısı giriş işlemini tamamlayamadı. Lütfen daha sonra tekrar deneyiniz." },
	[REFUSAL_EDEVLET_UNREACHABLE] = { 503, "E-Devlet kapısına şu anda ulaşılamıyor. Lütfen daha sonra tekrar deneyiniz veya E-imzalı Giriş'i kullanınız." },
	[REFUSAL_EDEVLET_TOKEN_MALFORMED] = { 502, "E-Devlet kapısından gelen kimlik bilgisi okunamadı." },
	[REFUSAL_EDEVLET_TOKEN_ALG] = { 502, "E-Devlet kapısından gelen kimlik bilgisi kabul edilmeyen bir yöntemle imzalanmış." },
	[REFUSAL_EDEVLET_TOKEN_KEY] = { 502, "E-Devlet kapısından gelen kimlik bilgisi tanınmayan bir anahtarla imzalanmış." },
	[REFUSAL_EDEVLET_TOKEN_SIGNATURE] = { 502, "E-Devlet kapısından gelen kimlik bilgisinin imzası doğrulanamadı." },
	[REFUSAL_EDEVLET_TOKEN_ISSUER] = { 502, "E-Devlet kimlik bilgisi beklenen kapıdan gelmemiş." },
	[REFUSAL_EDEVLET_TOKEN_AUDIENCE] = { 502, "E-Devlet kimlik bilgisi bu uygulama için verilmemiş." },
	[REFUSAL_EDEVLET_TOKEN_EXPIRED] = { 502, "E-Devlet kimlik bilgisinin süresi dolmuş. Lütfen yeniden giriş yapınız." },
	[REFUSAL_EDEVLET_TOKEN_NONCE] = { 502, "E-Devlet kimlik bilgisi bu giriş isteğine ait değil. Lütfen yeniden giriş yapınız." },
	[REFUSAL_EDEVLET_UNKNOWN_PERSON] = { 403, "Giriş yapılamadı. Bu kimlik bilgileriyle kayıtlı bir sertifika sahibi bulunamadı." },
	[REFUSAL_LOGIN_FAILED] = { 401, "T.C. Kimlik No veya güvenlik sözcüğü hatalı." },
	[REFUSAL_LOGIN_LOCKED] = { 429, "Çok fazla hatalı deneme yapıldı. Şifreli Giriş bir süre için kilitlendi; lütfen daha sonra tekrar deneyiniz." },
	[REFUSAL_CERT_NOT_OWNER] = { 403, "Bu sertifika size ait değil." },
	[REFUSAL_CERT_EXPIRED] = { 409, "Sertifikanızın geçerlilik süresi dolmuş; bu işlem yapılamaz." },
	[REFUSAL_CONFIRMATION] = { 400, "Onay metni hatalı yazıldı. İptal için sertifikanın seri numarasının son 6 karakterini yazınız." },
	[REFUSAL_CONTACT_INVALID] = { 400, "İletişim bilgileri geçersiz. Lütfen işaretli alanı kontrol ediniz." },
	[REFUSAL_NO_CARD] = { 404, "Adınıza kayıtlı bir kart bulunamadı." },
	[REFUSAL_CARD_MISMATCH] = { 403, "Takılı kart bu işlemi başlatan kişiye ait değil. Lütfen kendi kartınızı takınız." },
	[REFUSAL_PIN_RESET_USED] = { 409, "Bu işlem için kartınızın güvenlik PIN'i zaten verildi. Tarayıcınızdan yeni bir kod alarak tekrar deneyiniz." },
	[REFUSAL_PIN_RESET_STATE] = { 409, "PIN işleminin adımları sırasıyla yapılmadı. Tarayıcınızdan yeni bir kod alarak tekrar deneyiniz." },
	[REFUSAL_WRONG_PURPOSE] = { 409, "Bu doğrulama kodu başka bir işlem içindir." },
	[REFUSAL_APPLY_IDENTITY] = { 403, "Girdiğiniz kimlik bilgileri doğrulanamadı. Lütfen bilgilerinizi kontrol ederek tekrar deneyiniz." },
	[REFUSAL_INSTITUTION_UNKNOWN] = { 404, "Bu kurum için başvuru alınmamaktadır." },
	[REFUSAL_APPLICATION_OPEN] = { 409, "Bu kurumda aynı nedenle devam eden bir başvurunuz bulunmaktadır." },
	[REFUSAL_APPLICATION_STATE] = { 409, "Bu işlem başvurunun şu anki durumunda yapılamaz." },
	[REFUSAL_APPLICATION_ACTOR] = { 403, "Bu işlemi yapmaya yetkiniz yok." },
	[REFUSAL_APPLICATION_ACCESS] = { 403, "Başvuru formu erişim parolası hatalı." },
	[REFUSAL_CAPTCHA_WRONG] = { 400, "Resimdeki yazıyı hatalı girdiniz. Lütfen yeni resimdeki yazıyı giriniz." },
	[REFUSAL_CAPTCHA_EXPIRED] = { 400, "Resmin süresi dolmuş ya da resim daha önce kullanılmış. Lütfen yeni resimdeki yazıyı giriniz." },
	[REFUSAL_APPLY_NO_DRAFT] = { 401, "Başvuru oturumunuz bulunamadı. Lütfen Kullanıcı Girişi ekranından tekrar giriş yapınız." },
	[REFUSAL_APPLY_STEP] = { 409, "Bu işlem başvurunuzun şu anki adımında yapılamaz. Lütfen sayfayı yenileyiniz." },
	[REFUSAL_FORM_INVALID] = { 422, "Formda hatalı ya da eksik alanlar var. Lütfen işaretli alanları düzeltiniz." },
	[REFUSAL_SMS_WRONG] = { 400, "SMS Onay Kodu hatalı." },
	[REFUSAL_SMS_EXPIRED] = { 410, "SMS Onay Kodunun süresi doldu ya da deneme hakkınız bitti. Lütfen yeni bir kod gönderiniz." },
	[REFUSAL_SMS_LIMIT] = { 429, "Çok fazla SMS Onay Kodu istendi. Lütfen bir süre bekleyip tekrar deneyiniz." },
	[REFUSAL_EONAY_MOBILE] = { 409, "E-Onaylı Başvuru için formdaki cep telefonu numarası, sistemimizde kayıtlı cep telefonu numaranız olmalıdır. Lütfen Elektronik İmzalı ya da Islak İmzalı başvuru yapınız." },
	[REFUSAL_APPLICATION_CLAIMS] = { 409, "Kimlik bilgilerinizle bu kurumda tamamlanmamış çok sayıda başvuru bulunmaktadır. Lütfen kurumunuzla ya da bizimle iletişime geçiniz." },
};

_Static_assert(ELEMENTSOF(replies) == _REFUSAL_MAX, "a refusal without its reply");

const struct refusal_reply *refusal_reply(enum refusal r)
{
	return (unsigned)r < _REFUSAL_MAX && replies[r].status ? &replies[r] : &replies[0];
}

int http_reply_refusal_msg(struct http_request *req, enum refusal r, const char *message)
{
	const struct refusal_reply *e = refusal_reply(r);

	return http_reply_error(req, e->status, refusal_code(r), message ? message : e->message);
}

int http_reply_refusal(struct http_request *req, enum refusal r)
{
	return http_reply_refusal_msg(req, r, NULL);
}
