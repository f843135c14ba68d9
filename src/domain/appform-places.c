/* appform-places.c - İl and İlçe lists of the application form (see
 * appform.h).  All 81 il with their plate numbers (a postal code starts
 * with its il's plate number).  İlçe lists are complete for ANKARA (the
 * demo's il), İSTANBUL, İZMİR, BURSA and ANTALYA; every other il offers
 * "MERKEZ" only, until its list is added here. */
#include "domain/appform.h"

#include "common/util.h"

static const char *const ankara[] = {
	"AKYURT", "ALTINDAĞ", "AYAŞ", "BALA", "BEYPAZARI", "ÇAMLIDERE", "ÇANKAYA", "ÇUBUK",
	"ELMADAĞ", "ETİMESGUT", "EVREN", "GÖLBAŞI", "GÜDÜL", "HAYMANA", "KAHRAMANKAZAN",
	"KALECİK", "KEÇİÖREN", "KIZILCAHAMAM", "MAMAK", "NALLIHAN", "POLATLI", "PURSAKLAR",
	"SİNCAN", "ŞEREFLİKOÇHİSAR", "YENİMAHALLE", NULL,
};

static const char *const istanbul[] = {
	"ADALAR", "ARNAVUTKÖY", "ATAŞEHİR", "AVCILAR", "BAĞCILAR", "BAHÇELİEVLER", "BAKIRKÖY",
	"BAŞAKŞEHİR", "BAYRAMPAŞA", "BEŞİKTAŞ", "BEYKOZ", "BEYLİKDÜZÜ", "BEYOĞLU",
	"BÜYÜKÇEKMECE", "ÇATALCA", "ÇEKMEKÖY", "ESENLER", "ESENYURT", "EYÜPSULTAN", "FATİH",
	"GAZİOSMANPAŞA", "GÜNGÖREN", "KADIKÖY", "KAĞITHANE", "KARTAL", "KÜÇÜKÇEKMECE",
	"MALTEPE", "PENDİK", "SANCAKTEPE", "SARIYER", "SİLİVRİ", "SULTANBEYLİ", "SULTANGAZİ",
	"ŞİLE", "ŞİŞLİ", "TUZLA", "ÜMRANİYE", "ÜSKÜDAR", "ZEYTİNBURNU", NULL,
};

static const char *const izmir[] = {
	"ALİAĞA", "BALÇOVA", "BAYINDIR", "BAYRAKLI", "BERGAMA", "BEYDAĞ", "BORNOVA", "BUCA",
	"ÇEŞME", "ÇİĞLİ", "DİKİLİ", "FOÇA", "GAZİEMİR", "GÜZELBAHÇE", "KARABAĞLAR",
	"KARABURUN", "KARŞIYAKA", "KEMALPAŞA", "KINIK", "KİRAZ", "KONAK", "MENDERES",
	"MENEMEN", "NARLIDERE", "ÖDEMİŞ", "SEFERİHİSAR", "SELÇUK", "TİRE", "TORBALI", "URLA",
	NULL,
};

static const char *const bursa[] = {
	"BÜYÜKORHAN", "GEMLİK", "GÜRSU", "HARMANCIK", "İNEGÖL", "İZNİK", "KARACABEY", "KELES",
	"KESTEL", "MUDANYA", "MUSTAFAKEMALPAŞA", "NİLÜFER", "ORHANELİ", "ORHANGAZİ", "OSMANGAZİ",
	"YENİŞEHİR", "YILDIRIM", NULL,
};

static const char *const antalya[] = {
	"AKSEKİ", "AKSU", "ALANYA", "DEMRE", "DÖŞEMEALTI", "ELMALI", "FİNİKE", "GAZİPAŞA",
	"GÜNDOĞMUŞ", "İBRADI", "KAŞ", "KEMER", "KEPEZ", "KONYAALTI", "KORKUTELİ", "KUMLUCA",
	"MANAVGAT", "MURATPAŞA", "SERİK", NULL,
};

const struct appform_il appform_iller[] = {
	{ "ADANA", 1 }, { "ADIYAMAN", 2 }, { "AFYONKARAHİSAR", 3 }, { "AĞRI", 4 },
	{ "AMASYA", 5 }, { "ANKARA", 6, ankara }, { "ANTALYA", 7, antalya }, { "ARTVİN", 8 },
	{ "AYDIN", 9 }, { "BALIKESİR", 10 }, { "BİLECİK", 11 }, { "BİNGÖL", 12 },
	{ "BİTLİS", 13 }, { "BOLU", 14 }, { "BURDUR", 15 }, { "BURSA", 16, bursa },
	{ "ÇANAKKALE", 17 }, { "ÇANKIRI", 18 }, { "ÇORUM", 19 }, { "DENİZLİ", 20 },
	{ "DİYARBAKIR", 21 }, { "EDİRNE", 22 }, { "ELAZIĞ", 23 }, { "ERZİNCAN", 24 },
	{ "ERZURUM", 25 }, { "ESKİŞEHİR", 26 }, { "GAZİANTEP", 27 }, { "GİRESUN", 28 },
	{ "GÜMÜŞHANE", 29 }, { "HAKKARİ", 30 }, { "HATAY", 31 }, { "ISPARTA", 32 },
	{ "MERSİN", 33 }, { "İSTANBUL", 34, istanbul }, { "İZMİR", 35, izmir }, { "KARS", 36 },
	{ "KASTAMONU", 37 }, { "KAYSERİ", 38 }, { "KIRKLARELİ", 39 }, { "KIRŞEHİR", 40 },
	{ "KOCAELİ", 41 }, { "KONYA", 42 }, { "KÜTAHYA", 43 }, { "MALATYA", 44 },
	{ "MANİSA", 45 }, { "KAHRAMANMARAŞ", 46 }, { "MARDİN", 47 }, { "MUĞLA", 48 },
	{ "MUŞ", 49 }, { "NEVŞEHİR", 50 }, { "NİĞDE", 51 }, { "ORDU", 52 },
	{ "RİZE", 53 }, { "SAKARYA", 54 }, { "SAMSUN", 55 }, { "SİİRT", 56 },
	{ "SİNOP", 57 }, { "SİVAS", 58 }, { "TEKİRDAĞ", 59 }, { "TOKAT", 60 },
	{ "TRABZON", 61 }, { "TUNCELİ", 62 }, { "ŞANLIURFA", 63 }, { "UŞAK", 64 },
	{ "VAN", 65 }, { "YOZGAT", 66 }, { "ZONGULDAK", 67 }, { "AKSARAY", 68 },
	{ "BAYBURT", 69 }, { "KARAMAN", 70 }, { "KIRIKKALE", 71 }, { "BATMAN", 72 },
	{ "ŞIRNAK", 73 }, { "BARTIN", 74 }, { "ARDAHAN", 75 }, { "IĞDIR", 76 },
	{ "YALOVA", 77 }, { "KARABÜK", 78 }, { "KİLİS", 79 }, { "OSMANİYE", 80 },
	{ "DÜZCE", 81 },
};
const size_t appform_iller_count = ELEMENTSOF(appform_iller);

_Static_assert(ELEMENTSOF(appform_iller) == 81, "Türkiye has 81 il");

const struct appform_il *appform_il_find(const char *name)
{
	for (size_t i = 0; name && i < appform_iller_count; i++)
		if (streq(appform_iller[i].name, name))
			return &appform_iller[i];
	return NULL;
}
