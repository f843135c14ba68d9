/* appform-places.c - İl and İlçe lists of the application form (see
 * appform.h).  All 81 il with their plate numbers (a postal code starts
 * with its il's plate number) and all 973 ilçe, written as the Ministry of
 * the Interior's list writes them (upper-case Turkish; "19 MAYIS" with its
 * digits), as of the 2018 changes (Derecik, Kemalpaşa and Sultanhanı; Eyüp
 * is EYÜPSULTAN, Kazan KAHRAMANKAZAN).  The 30 metropolitan il
 * (büyükşehir) have no MERKEZ ilçe; each of the other 51 has one.  Kept in
 * Turkish alphabetical order, which is the order the form offers them in. */
#include "domain/appform.h"

#include "common/util.h"

static const char *const p01[] = {	/* ADANA */
	"ALADAĞ", "CEYHAN", "ÇUKUROVA", "FEKE", "İMAMOĞLU", "KARAİSALI", "KARATAŞ", "KOZAN",
	"POZANTI", "SAİMBEYLİ", "SARIÇAM", "SEYHAN", "TUFANBEYLİ", "YUMURTALIK", "YÜREĞİR",
	NULL,
};

static const char *const p02[] = {	/* ADIYAMAN */
	"BESNİ", "ÇELİKHAN", "GERGER", "GÖLBAŞI", "KAHTA", "MERKEZ", "SAMSAT", "SİNCİK", "TUT",
	NULL,
};

static const char *const p03[] = {	/* AFYONKARAHİSAR */
	"BAŞMAKÇI", "BAYAT", "BOLVADİN", "ÇAY", "ÇOBANLAR", "DAZKIRI", "DİNAR", "EMİRDAĞ",
	"EVCİLER", "HOCALAR", "İHSANİYE", "İSCEHİSAR", "KIZILÖREN", "MERKEZ", "SANDIKLI",
	"SİNANPAŞA", "SULTANDAĞI", "ŞUHUT", NULL,
};

static const char *const p04[] = {	/* AĞRI */
	"DİYADİN", "DOĞUBAYAZIT", "ELEŞKİRT", "HAMUR", "MERKEZ", "PATNOS", "TAŞLIÇAY", "TUTAK",
	NULL,
};

static const char *const p05[] = {	/* AMASYA */
	"GÖYNÜCEK", "GÜMÜŞHACIKÖY", "HAMAMÖZÜ", "MERKEZ", "MERZİFON", "SULUOVA", "TAŞOVA",
	NULL,
};

static const char *const p06[] = {	/* ANKARA */
	"AKYURT", "ALTINDAĞ", "AYAŞ", "BALA", "BEYPAZARI", "ÇAMLIDERE", "ÇANKAYA", "ÇUBUK",
	"ELMADAĞ", "ETİMESGUT", "EVREN", "GÖLBAŞI", "GÜDÜL", "HAYMANA", "KAHRAMANKAZAN",
	"KALECİK", "KEÇİÖREN", "KIZILCAHAMAM", "MAMAK", "NALLIHAN", "POLATLI", "PURSAKLAR",
	"SİNCAN", "ŞEREFLİKOÇHİSAR", "YENİMAHALLE", NULL,
};

static const char *const p07[] = {	/* ANTALYA */
	"AKSEKİ", "AKSU", "ALANYA", "DEMRE", "DÖŞEMEALTI", "ELMALI", "FİNİKE", "GAZİPAŞA",
	"GÜNDOĞMUŞ", "İBRADI", "KAŞ", "KEMER", "KEPEZ", "KONYAALTI", "KORKUTELİ", "KUMLUCA",
	"MANAVGAT", "MURATPAŞA", "SERİK", NULL,
};

static const char *const p08[] = {	/* ARTVİN */
	"ARDANUÇ", "ARHAVİ", "BORÇKA", "HOPA", "KEMALPAŞA", "MERKEZ", "MURGUL", "ŞAVŞAT",
	"YUSUFELİ", NULL,
};

static const char *const p09[] = {	/* AYDIN */
	"BOZDOĞAN", "BUHARKENT", "ÇİNE", "DİDİM", "EFELER", "GERMENCİK", "İNCİRLİOVA",
	"KARACASU", "KARPUZLU", "KOÇARLI", "KÖŞK", "KUŞADASI", "KUYUCAK", "NAZİLLİ", "SÖKE",
	"SULTANHİSAR", "YENİPAZAR", NULL,
};

static const char *const p10[] = {	/* BALIKESİR */
	"ALTIEYLÜL", "AYVALIK", "BALYA", "BANDIRMA", "BİGADİÇ", "BURHANİYE", "DURSUNBEY",
	"EDREMİT", "ERDEK", "GÖMEÇ", "GÖNEN", "HAVRAN", "İVRİNDİ", "KARESİ", "KEPSUT",
	"MANYAS", "MARMARA", "SAVAŞTEPE", "SINDIRGI", "SUSURLUK", NULL,
};

static const char *const p11[] = {	/* BİLECİK */
	"BOZÜYÜK", "GÖLPAZARI", "İNHİSAR", "MERKEZ", "OSMANELİ", "PAZARYERİ", "SÖĞÜT",
	"YENİPAZAR", NULL,
};

static const char *const p12[] = {	/* BİNGÖL */
	"ADAKLI", "GENÇ", "KARLIOVA", "KİĞI", "MERKEZ", "SOLHAN", "YAYLADERE", "YEDİSU", NULL,
};

static const char *const p13[] = {	/* BİTLİS */
	"ADİLCEVAZ", "AHLAT", "GÜROYMAK", "HİZAN", "MERKEZ", "MUTKİ", "TATVAN", NULL,
};

static const char *const p14[] = {	/* BOLU */
	"DÖRTDİVAN", "GEREDE", "GÖYNÜK", "KIBRISCIK", "MENGEN", "MERKEZ", "MUDURNU", "SEBEN",
	"YENİÇAĞA", NULL,
};

static const char *const p15[] = {	/* BURDUR */
	"AĞLASUN", "ALTINYAYLA", "BUCAK", "ÇAVDIR", "ÇELTİKÇİ", "GÖLHİSAR", "KARAMANLI",
	"KEMER", "MERKEZ", "TEFENNİ", "YEŞİLOVA", NULL,
};

static const char *const p16[] = {	/* BURSA */
	"BÜYÜKORHAN", "GEMLİK", "GÜRSU", "HARMANCIK", "İNEGÖL", "İZNİK", "KARACABEY", "KELES",
	"KESTEL", "MUDANYA", "MUSTAFAKEMALPAŞA", "NİLÜFER", "ORHANELİ", "ORHANGAZİ",
	"OSMANGAZİ", "YENİŞEHİR", "YILDIRIM", NULL,
};

static const char *const p17[] = {	/* ÇANAKKALE */
	"AYVACIK", "BAYRAMİÇ", "BİGA", "BOZCAADA", "ÇAN", "ECEABAT", "EZİNE", "GELİBOLU",
	"GÖKÇEADA", "LAPSEKİ", "MERKEZ", "YENİCE", NULL,
};

static const char *const p18[] = {	/* ÇANKIRI */
	"ATKARACALAR", "BAYRAMÖREN", "ÇERKEŞ", "ELDİVAN", "ILGAZ", "KIZILIRMAK", "KORGUN",
	"KURŞUNLU", "MERKEZ", "ORTA", "ŞABANÖZÜ", "YAPRAKLI", NULL,
};

static const char *const p19[] = {	/* ÇORUM */
	"ALACA", "BAYAT", "BOĞAZKALE", "DODURGA", "İSKİLİP", "KARGI", "LAÇİN", "MECİTÖZÜ",
	"MERKEZ", "OĞUZLAR", "ORTAKÖY", "OSMANCIK", "SUNGURLU", "UĞURLUDAĞ", NULL,
};

static const char *const p20[] = {	/* DENİZLİ */
	"ACIPAYAM", "BABADAĞ", "BAKLAN", "BEKİLLİ", "BEYAĞAÇ", "BOZKURT", "BULDAN", "ÇAL",
	"ÇAMELİ", "ÇARDAK", "ÇİVRİL", "GÜNEY", "HONAZ", "KALE", "MERKEZEFENDİ", "PAMUKKALE",
	"SARAYKÖY", "SERİNHİSAR", "TAVAS", NULL,
};

static const char *const p21[] = {	/* DİYARBAKIR */
	"BAĞLAR", "BİSMİL", "ÇERMİK", "ÇINAR", "ÇÜNGÜŞ", "DİCLE", "EĞİL", "ERGANİ", "HANİ",
	"HAZRO", "KAYAPINAR", "KOCAKÖY", "KULP", "LİCE", "SİLVAN", "SUR", "YENİŞEHİR", NULL,
};

static const char *const p22[] = {	/* EDİRNE */
	"ENEZ", "HAVSA", "İPSALA", "KEŞAN", "LALAPAŞA", "MERİÇ", "MERKEZ", "SÜLOĞLU",
	"UZUNKÖPRÜ", NULL,
};

static const char *const p23[] = {	/* ELAZIĞ */
	"AĞIN", "ALACAKAYA", "ARICAK", "BASKİL", "KARAKOÇAN", "KEBAN", "KOVANCILAR", "MADEN",
	"MERKEZ", "PALU", "SİVRİCE", NULL,
};

static const char *const p24[] = {	/* ERZİNCAN */
	"ÇAYIRLI", "İLİÇ", "KEMAH", "KEMALİYE", "MERKEZ", "OTLUKBELİ", "REFAHİYE", "TERCAN",
	"ÜZÜMLÜ", NULL,
};

static const char *const p25[] = {	/* ERZURUM */
	"AŞKALE", "AZİZİYE", "ÇAT", "HINIS", "HORASAN", "İSPİR", "KARAÇOBAN", "KARAYAZI",
	"KÖPRÜKÖY", "NARMAN", "OLTU", "OLUR", "PALANDÖKEN", "PASİNLER", "PAZARYOLU", "ŞENKAYA",
	"TEKMAN", "TORTUM", "UZUNDERE", "YAKUTİYE", NULL,
};

static const char *const p26[] = {	/* ESKİŞEHİR */
	"ALPU", "BEYLİKOVA", "ÇİFTELER", "GÜNYÜZÜ", "HAN", "İNÖNÜ", "MAHMUDİYE", "MİHALGAZİ",
	"MİHALIÇÇIK", "ODUNPAZARI", "SARICAKAYA", "SEYİTGAZİ", "SİVRİHİSAR", "TEPEBAŞI", NULL,
};

static const char *const p27[] = {	/* GAZİANTEP */
	"ARABAN", "İSLAHİYE", "KARKAMIŞ", "NİZİP", "NURDAĞI", "OĞUZELİ", "ŞAHİNBEY",
	"ŞEHİTKAMİL", "YAVUZELİ", NULL,
};

static const char *const p28[] = {	/* GİRESUN */
	"ALUCRA", "BULANCAK", "ÇAMOLUK", "ÇANAKÇI", "DERELİ", "DOĞANKENT", "ESPİYE", "EYNESİL",
	"GÖRELE", "GÜCE", "KEŞAP", "MERKEZ", "PİRAZİZ", "ŞEBİNKARAHİSAR", "TİREBOLU",
	"YAĞLIDERE", NULL,
};

static const char *const p29[] = {	/* GÜMÜŞHANE */
	"KELKİT", "KÖSE", "KÜRTÜN", "MERKEZ", "ŞİRAN", "TORUL", NULL,
};

static const char *const p30[] = {	/* HAKKARİ */
	"ÇUKURCA", "DERECİK", "MERKEZ", "ŞEMDİNLİ", "YÜKSEKOVA", NULL,
};

static const char *const p31[] = {	/* HATAY */
	"ALTINÖZÜ", "ANTAKYA", "ARSUZ", "BELEN", "DEFNE", "DÖRTYOL", "ERZİN", "HASSA",
	"İSKENDERUN", "KIRIKHAN", "KUMLU", "PAYAS", "REYHANLI", "SAMANDAĞ", "YAYLADAĞI", NULL,
};

static const char *const p32[] = {	/* ISPARTA */
	"AKSU", "ATABEY", "EĞİRDİR", "GELENDOST", "GÖNEN", "KEÇİBORLU", "MERKEZ", "SENİRKENT",
	"SÜTÇÜLER", "ŞARKİKARAAĞAÇ", "ULUBORLU", "YALVAÇ", "YENİŞARBADEMLİ", NULL,
};

static const char *const p33[] = {	/* MERSİN */
	"AKDENİZ", "ANAMUR", "AYDINCIK", "BOZYAZI", "ÇAMLIYAYLA", "ERDEMLİ", "GÜLNAR",
	"MEZİTLİ", "MUT", "SİLİFKE", "TARSUS", "TOROSLAR", "YENİŞEHİR", NULL,
};

static const char *const p34[] = {	/* İSTANBUL */
	"ADALAR", "ARNAVUTKÖY", "ATAŞEHİR", "AVCILAR", "BAĞCILAR", "BAHÇELİEVLER", "BAKIRKÖY",
	"BAŞAKŞEHİR", "BAYRAMPAŞA", "BEŞİKTAŞ", "BEYKOZ", "BEYLİKDÜZÜ", "BEYOĞLU",
	"BÜYÜKÇEKMECE", "ÇATALCA", "ÇEKMEKÖY", "ESENLER", "ESENYURT", "EYÜPSULTAN", "FATİH",
	"GAZİOSMANPAŞA", "GÜNGÖREN", "KADIKÖY", "KAĞITHANE", "KARTAL", "KÜÇÜKÇEKMECE",
	"MALTEPE", "PENDİK", "SANCAKTEPE", "SARIYER", "SİLİVRİ", "SULTANBEYLİ", "SULTANGAZİ",
	"ŞİLE", "ŞİŞLİ", "TUZLA", "ÜMRANİYE", "ÜSKÜDAR", "ZEYTİNBURNU", NULL,
};

static const char *const p35[] = {	/* İZMİR */
	"ALİAĞA", "BALÇOVA", "BAYINDIR", "BAYRAKLI", "BERGAMA", "BEYDAĞ", "BORNOVA", "BUCA",
	"ÇEŞME", "ÇİĞLİ", "DİKİLİ", "FOÇA", "GAZİEMİR", "GÜZELBAHÇE", "KARABAĞLAR",
	"KARABURUN", "KARŞIYAKA", "KEMALPAŞA", "KINIK", "KİRAZ", "KONAK", "MENDERES",
	"MENEMEN", "NARLIDERE", "ÖDEMİŞ", "SEFERİHİSAR", "SELÇUK", "TİRE", "TORBALI", "URLA",
	NULL,
};

static const char *const p36[] = {	/* KARS */
	"AKYAKA", "ARPAÇAY", "DİGOR", "KAĞIZMAN", "MERKEZ", "SARIKAMIŞ", "SELİM", "SUSUZ",
	NULL,
};

static const char *const p37[] = {	/* KASTAMONU */
	"ABANA", "AĞLI", "ARAÇ", "AZDAVAY", "BOZKURT", "CİDE", "ÇATALZEYTİN", "DADAY",
	"DEVREKANİ", "DOĞANYURT", "HANÖNÜ", "İHSANGAZİ", "İNEBOLU", "KÜRE", "MERKEZ",
	"PINARBAŞI", "SEYDİLER", "ŞENPAZAR", "TAŞKÖPRÜ", "TOSYA", NULL,
};

static const char *const p38[] = {	/* KAYSERİ */
	"AKKIŞLA", "BÜNYAN", "DEVELİ", "FELAHİYE", "HACILAR", "İNCESU", "KOCASİNAN",
	"MELİKGAZİ", "ÖZVATAN", "PINARBAŞI", "SARIOĞLAN", "SARIZ", "TALAS", "TOMARZA",
	"YAHYALI", "YEŞİLHİSAR", NULL,
};

static const char *const p39[] = {	/* KIRKLARELİ */
	"BABAESKİ", "DEMİRKÖY", "KOFÇAZ", "LÜLEBURGAZ", "MERKEZ", "PEHLİVANKÖY", "PINARHİSAR",
	"VİZE", NULL,
};

static const char *const p40[] = {	/* KIRŞEHİR */
	"AKÇAKENT", "AKPINAR", "BOZTEPE", "ÇİÇEKDAĞI", "KAMAN", "MERKEZ", "MUCUR", NULL,
};

static const char *const p41[] = {	/* KOCAELİ */
	"BAŞİSKELE", "ÇAYIROVA", "DARICA", "DERİNCE", "DİLOVASI", "GEBZE", "GÖLCÜK", "İZMİT",
	"KANDIRA", "KARAMÜRSEL", "KARTEPE", "KÖRFEZ", NULL,
};

static const char *const p42[] = {	/* KONYA */
	"AHIRLI", "AKÖREN", "AKŞEHİR", "ALTINEKİN", "BEYŞEHİR", "BOZKIR", "CİHANBEYLİ",
	"ÇELTİK", "ÇUMRA", "DERBENT", "DEREBUCAK", "DOĞANHİSAR", "EMİRGAZİ", "EREĞLİ",
	"GÜNEYSINIR", "HADİM", "HALKAPINAR", "HÜYÜK", "ILGIN", "KADINHANI", "KARAPINAR",
	"KARATAY", "KULU", "MERAM", "SARAYÖNÜ", "SELÇUKLU", "SEYDİŞEHİR", "TAŞKENT",
	"TUZLUKÇU", "YALIHÜYÜK", "YUNAK", NULL,
};

static const char *const p43[] = {	/* KÜTAHYA */
	"ALTINTAŞ", "ASLANAPA", "ÇAVDARHİSAR", "DOMANİÇ", "DUMLUPINAR", "EMET", "GEDİZ",
	"HİSARCIK", "MERKEZ", "PAZARLAR", "SİMAV", "ŞAPHANE", "TAVŞANLI", NULL,
};

static const char *const p44[] = {	/* MALATYA */
	"AKÇADAĞ", "ARAPGİR", "ARGUVAN", "BATTALGAZİ", "DARENDE", "DOĞANŞEHİR", "DOĞANYOL",
	"HEKİMHAN", "KALE", "KULUNCAK", "PÜTÜRGE", "YAZIHAN", "YEŞİLYURT", NULL,
};

static const char *const p45[] = {	/* MANİSA */
	"AHMETLİ", "AKHİSAR", "ALAŞEHİR", "DEMİRCİ", "GÖLMARMARA", "GÖRDES", "KIRKAĞAÇ",
	"KÖPRÜBAŞI", "KULA", "SALİHLİ", "SARIGÖL", "SARUHANLI", "SELENDİ", "SOMA",
	"ŞEHZADELER", "TURGUTLU", "YUNUSEMRE", NULL,
};

static const char *const p46[] = {	/* KAHRAMANMARAŞ */
	"AFŞİN", "ANDIRIN", "ÇAĞLAYANCERİT", "DULKADİROĞLU", "EKİNÖZÜ", "ELBİSTAN", "GÖKSUN",
	"NURHAK", "ONİKİŞUBAT", "PAZARCIK", "TÜRKOĞLU", NULL,
};

static const char *const p47[] = {	/* MARDİN */
	"ARTUKLU", "DARGEÇİT", "DERİK", "KIZILTEPE", "MAZIDAĞI", "MİDYAT", "NUSAYBİN",
	"ÖMERLİ", "SAVUR", "YEŞİLLİ", NULL,
};

static const char *const p48[] = {	/* MUĞLA */
	"BODRUM", "DALAMAN", "DATÇA", "FETHİYE", "KAVAKLIDERE", "KÖYCEĞİZ", "MARMARİS",
	"MENTEŞE", "MİLAS", "ORTACA", "SEYDİKEMER", "ULA", "YATAĞAN", NULL,
};

static const char *const p49[] = {	/* MUŞ */
	"BULANIK", "HASKÖY", "KORKUT", "MALAZGİRT", "MERKEZ", "VARTO", NULL,
};

static const char *const p50[] = {	/* NEVŞEHİR */
	"ACIGÖL", "AVANOS", "DERİNKUYU", "GÜLŞEHİR", "HACIBEKTAŞ", "KOZAKLI", "MERKEZ",
	"ÜRGÜP", NULL,
};

static const char *const p51[] = {	/* NİĞDE */
	"ALTUNHİSAR", "BOR", "ÇAMARDI", "ÇİFTLİK", "MERKEZ", "ULUKIŞLA", NULL,
};

static const char *const p52[] = {	/* ORDU */
	"AKKUŞ", "ALTINORDU", "AYBASTI", "ÇAMAŞ", "ÇATALPINAR", "ÇAYBAŞI", "FATSA", "GÖLKÖY",
	"GÜLYALI", "GÜRGENTEPE", "İKİZCE", "KABADÜZ", "KABATAŞ", "KORGAN", "KUMRU", "MESUDİYE",
	"PERŞEMBE", "ULUBEY", "ÜNYE", NULL,
};

static const char *const p53[] = {	/* RİZE */
	"ARDEŞEN", "ÇAMLIHEMŞİN", "ÇAYELİ", "DEREPAZARI", "FINDIKLI", "GÜNEYSU", "HEMŞİN",
	"İKİZDERE", "İYİDERE", "KALKANDERE", "MERKEZ", "PAZAR", NULL,
};

static const char *const p54[] = {	/* SAKARYA */
	"ADAPAZARI", "AKYAZI", "ARİFİYE", "ERENLER", "FERİZLİ", "GEYVE", "HENDEK",
	"KARAPÜRÇEK", "KARASU", "KAYNARCA", "KOCAALİ", "PAMUKOVA", "SAPANCA", "SERDİVAN",
	"SÖĞÜTLÜ", "TARAKLI", NULL,
};

static const char *const p55[] = {	/* SAMSUN */
	"19 MAYIS", "ALAÇAM", "ASARCIK", "ATAKUM", "AYVACIK", "BAFRA", "CANİK", "ÇARŞAMBA",
	"HAVZA", "İLKADIM", "KAVAK", "LADİK", "SALIPAZARI", "TEKKEKÖY", "TERME", "VEZİRKÖPRÜ",
	"YAKAKENT", NULL,
};

static const char *const p56[] = {	/* SİİRT */
	"BAYKAN", "ERUH", "KURTALAN", "MERKEZ", "PERVARİ", "ŞİRVAN", "TİLLO", NULL,
};

static const char *const p57[] = {	/* SİNOP */
	"AYANCIK", "BOYABAT", "DİKMEN", "DURAĞAN", "ERFELEK", "GERZE", "MERKEZ", "SARAYDÜZÜ",
	"TÜRKELİ", NULL,
};

static const char *const p58[] = {	/* SİVAS */
	"AKINCILAR", "ALTINYAYLA", "DİVRİĞİ", "DOĞANŞAR", "GEMEREK", "GÖLOVA", "GÜRÜN",
	"HAFİK", "İMRANLI", "KANGAL", "KOYULHİSAR", "MERKEZ", "SUŞEHRİ", "ŞARKIŞLA", "ULAŞ",
	"YILDIZELİ", "ZARA", NULL,
};

static const char *const p59[] = {	/* TEKİRDAĞ */
	"ÇERKEZKÖY", "ÇORLU", "ERGENE", "HAYRABOLU", "KAPAKLI", "MALKARA", "MARMARAEREĞLİSİ",
	"MURATLI", "SARAY", "SÜLEYMANPAŞA", "ŞARKÖY", NULL,
};

static const char *const p60[] = {	/* TOKAT */
	"ALMUS", "ARTOVA", "BAŞÇİFTLİK", "ERBAA", "MERKEZ", "NİKSAR", "PAZAR", "REŞADİYE",
	"SULUSARAY", "TURHAL", "YEŞİLYURT", "ZİLE", NULL,
};

static const char *const p61[] = {	/* TRABZON */
	"AKÇAABAT", "ARAKLI", "ARSİN", "BEŞİKDÜZÜ", "ÇARŞIBAŞI", "ÇAYKARA", "DERNEKPAZARI",
	"DÜZKÖY", "HAYRAT", "KÖPRÜBAŞI", "MAÇKA", "OF", "ORTAHİSAR", "SÜRMENE", "ŞALPAZARI",
	"TONYA", "VAKFIKEBİR", "YOMRA", NULL,
};

static const char *const p62[] = {	/* TUNCELİ */
	"ÇEMİŞGEZEK", "HOZAT", "MAZGİRT", "MERKEZ", "NAZIMİYE", "OVACIK", "PERTEK", "PÜLÜMÜR",
	NULL,
};

static const char *const p63[] = {	/* ŞANLIURFA */
	"AKÇAKALE", "BİRECİK", "BOZOVA", "CEYLANPINAR", "EYYÜBİYE", "HALFETİ", "HALİLİYE",
	"HARRAN", "HİLVAN", "KARAKÖPRÜ", "SİVEREK", "SURUÇ", "VİRANŞEHİR", NULL,
};

static const char *const p64[] = {	/* UŞAK */
	"BANAZ", "EŞME", "KARAHALLI", "MERKEZ", "SİVASLI", "ULUBEY", NULL,
};

static const char *const p65[] = {	/* VAN */
	"BAHÇESARAY", "BAŞKALE", "ÇALDIRAN", "ÇATAK", "EDREMİT", "ERCİŞ", "GEVAŞ", "GÜRPINAR",
	"İPEKYOLU", "MURADİYE", "ÖZALP", "SARAY", "TUŞBA", NULL,
};

static const char *const p66[] = {	/* YOZGAT */
	"AKDAĞMADENİ", "AYDINCIK", "BOĞAZLIYAN", "ÇANDIR", "ÇAYIRALAN", "ÇEKEREK", "KADIŞEHRİ",
	"MERKEZ", "SARAYKENT", "SARIKAYA", "SORGUN", "ŞEFAATLİ", "YENİFAKILI", "YERKÖY", NULL,
};

static const char *const p67[] = {	/* ZONGULDAK */
	"ALAPLI", "ÇAYCUMA", "DEVREK", "EREĞLİ", "GÖKÇEBEY", "KİLİMLİ", "KOZLU", "MERKEZ",
	NULL,
};

static const char *const p68[] = {	/* AKSARAY */
	"AĞAÇÖREN", "ESKİL", "GÜLAĞAÇ", "GÜZELYURT", "MERKEZ", "ORTAKÖY", "SARIYAHŞİ",
	"SULTANHANI", NULL,
};

static const char *const p69[] = {	/* BAYBURT */
	"AYDINTEPE", "DEMİRÖZÜ", "MERKEZ", NULL,
};

static const char *const p70[] = {	/* KARAMAN */
	"AYRANCI", "BAŞYAYLA", "ERMENEK", "KAZIMKARABEKİR", "MERKEZ", "SARIVELİLER", NULL,
};

static const char *const p71[] = {	/* KIRIKKALE */
	"BAHŞILI", "BALIŞEYH", "ÇELEBİ", "DELİCE", "KARAKEÇİLİ", "KESKİN", "MERKEZ",
	"SULAKYURT", "YAHŞİHAN", NULL,
};

static const char *const p72[] = {	/* BATMAN */
	"BEŞİRİ", "GERCÜŞ", "HASANKEYF", "KOZLUK", "MERKEZ", "SASON", NULL,
};

static const char *const p73[] = {	/* ŞIRNAK */
	"BEYTÜŞŞEBAP", "CİZRE", "GÜÇLÜKONAK", "İDİL", "MERKEZ", "SİLOPİ", "ULUDERE", NULL,
};

static const char *const p74[] = {	/* BARTIN */
	"AMASRA", "KURUCAŞİLE", "MERKEZ", "ULUS", NULL,
};

static const char *const p75[] = {	/* ARDAHAN */
	"ÇILDIR", "DAMAL", "GÖLE", "HANAK", "MERKEZ", "POSOF", NULL,
};

static const char *const p76[] = {	/* IĞDIR */
	"ARALIK", "KARAKOYUNLU", "MERKEZ", "TUZLUCA", NULL,
};

static const char *const p77[] = {	/* YALOVA */
	"ALTINOVA", "ARMUTLU", "ÇINARCIK", "ÇİFTLİKKÖY", "MERKEZ", "TERMAL", NULL,
};

static const char *const p78[] = {	/* KARABÜK */
	"EFLANİ", "ESKİPAZAR", "MERKEZ", "OVACIK", "SAFRANBOLU", "YENİCE", NULL,
};

static const char *const p79[] = {	/* KİLİS */
	"ELBEYLİ", "MERKEZ", "MUSABEYLİ", "POLATELİ", NULL,
};

static const char *const p80[] = {	/* OSMANİYE */
	"BAHÇE", "DÜZİÇİ", "HASANBEYLİ", "KADİRLİ", "MERKEZ", "SUMBAS", "TOPRAKKALE", NULL,
};

static const char *const p81[] = {	/* DÜZCE */
	"AKÇAKOCA", "CUMAYERİ", "ÇİLİMLİ", "GÖLYAKA", "GÜMÜŞOVA", "KAYNAŞLI", "MERKEZ",
	"YIĞILCA", NULL,
};

const struct appform_il appform_iller[] = {
	{ "ADANA", 1, p01 }, { "ADIYAMAN", 2, p02 }, { "AFYONKARAHİSAR", 3, p03 },
	{ "AĞRI", 4, p04 }, { "AMASYA", 5, p05 }, { "ANKARA", 6, p06 }, { "ANTALYA", 7, p07 },
	{ "ARTVİN", 8, p08 }, { "AYDIN", 9, p09 }, { "BALIKESİR", 10, p10 },
	{ "BİLECİK", 11, p11 }, { "BİNGÖL", 12, p12 }, { "BİTLİS", 13, p13 },
	{ "BOLU", 14, p14 }, { "BURDUR", 15, p15 }, { "BURSA", 16, p16 },
	{ "ÇANAKKALE", 17, p17 }, { "ÇANKIRI", 18, p18 }, { "ÇORUM", 19, p19 },
	{ "DENİZLİ", 20, p20 }, { "DİYARBAKIR", 21, p21 }, { "EDİRNE", 22, p22 },
	{ "ELAZIĞ", 23, p23 }, { "ERZİNCAN", 24, p24 }, { "ERZURUM", 25, p25 },
	{ "ESKİŞEHİR", 26, p26 }, { "GAZİANTEP", 27, p27 }, { "GİRESUN", 28, p28 },
	{ "GÜMÜŞHANE", 29, p29 }, { "HAKKARİ", 30, p30 }, { "HATAY", 31, p31 },
	{ "ISPARTA", 32, p32 }, { "MERSİN", 33, p33 }, { "İSTANBUL", 34, p34 },
	{ "İZMİR", 35, p35 }, { "KARS", 36, p36 }, { "KASTAMONU", 37, p37 },
	{ "KAYSERİ", 38, p38 }, { "KIRKLARELİ", 39, p39 }, { "KIRŞEHİR", 40, p40 },
	{ "KOCAELİ", 41, p41 }, { "KONYA", 42, p42 }, { "KÜTAHYA", 43, p43 },
	{ "MALATYA", 44, p44 }, { "MANİSA", 45, p45 }, { "KAHRAMANMARAŞ", 46, p46 },
	{ "MARDİN", 47, p47 }, { "MUĞLA", 48, p48 }, { "MUŞ", 49, p49 },
	{ "NEVŞEHİR", 50, p50 }, { "NİĞDE", 51, p51 }, { "ORDU", 52, p52 },
	{ "RİZE", 53, p53 }, { "SAKARYA", 54, p54 }, { "SAMSUN", 55, p55 },
	{ "SİİRT", 56, p56 }, { "SİNOP", 57, p57 }, { "SİVAS", 58, p58 },
	{ "TEKİRDAĞ", 59, p59 }, { "TOKAT", 60, p60 }, { "TRABZON", 61, p61 },
	{ "TUNCELİ", 62, p62 }, { "ŞANLIURFA", 63, p63 }, { "UŞAK", 64, p64 },
	{ "VAN", 65, p65 }, { "YOZGAT", 66, p66 }, { "ZONGULDAK", 67, p67 },
	{ "AKSARAY", 68, p68 }, { "BAYBURT", 69, p69 }, { "KARAMAN", 70, p70 },
	{ "KIRIKKALE", 71, p71 }, { "BATMAN", 72, p72 }, { "ŞIRNAK", 73, p73 },
	{ "BARTIN", 74, p74 }, { "ARDAHAN", 75, p75 }, { "IĞDIR", 76, p76 },
	{ "YALOVA", 77, p77 }, { "KARABÜK", 78, p78 }, { "KİLİS", 79, p79 },
	{ "OSMANİYE", 80, p80 }, { "DÜZCE", 81, p81 },
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
