/* chromium-wait.h - the header lines Chromium sends with the page's
 * long-poll fetch (ceremony.js), after the request line and before the
 * Cookie line: about 650 bytes; and 2 KB of other cookies.  Used by the
 * ceremony benchmark and the head-size tests, so both see a real
 * browser's request and not a minimal one. */
#pragma once

#define CHROMIUM_WAIT_HEADERS                                                              \
	"Host: 127.0.0.1:8080\r\n"                                                         \
	"Connection: keep-alive\r\n"                                                       \
	"sec-ch-ua-platform: \"Linux\"\r\n"                                                \
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like "     \
	"Gecko) Chrome/131.0.0.0 Safari/537.36\r\n"                                        \
	"Accept: application/json\r\n"                                                     \
	"sec-ch-ua: \"Chromium\";v=\"131\", \"Not_A Brand\";v=\"24\"\r\n"                  \
	"sec-ch-ua-mobile: ?0\r\n"                                                         \
	"Sec-Fetch-Site: same-origin\r\n"                                                  \
	"Sec-Fetch-Mode: cors\r\n"                                                         \
	"Sec-Fetch-Dest: empty\r\n"                                                        \
	"Referer: http://127.0.0.1:8080/eimzali-giris.html\r\n"                            \
	"Accept-Encoding: gzip, deflate, br, zstd\r\n"                                     \
	"Accept-Language: tr-TR,tr;q=0.9,en-US;q=0.8,en;q=0.7\r\n"

/* 2 KB (2 048 bytes with the "; " after it) of other cookies a site
 * collects (analytics, consent, preferences), sent before the session
 * cookie: the memory benchmark's browsers carry them, as real ones do. */
#define CHROMIUM_OTHER_COOKIES_2K \
	"_ga=756729de1629eee0a7a6ff214866f17b3f158c4d49964a96c4da3d62e1160968b0" \
	"a2a88bba194dd1e0019303e32448ae6bac06f21b5be9bba321643e6231a936756729de" \
	"1629eee0a7a6ff214866f17b3f158c4d49964a96c4da3d62e1160968b0a2a88bba194d" \
	"d1e0019303e32448ae6bac06; _ga_Q1W2E3R4T5=c5b09085339784606a212f4826e5a" \
	"6814be884df914fb0d952b04ce4b543624f5106e69dd91dc0a7d23c426e8022a44228a" \
	"58a7325241569553509367cdb689ec5b09085339784606a212f4826e5a6814be884df9" \
	"14fb0d952b04ce4b543624f5106e69dd91dc0a7d23c426e8022a44228a58a; _gid=5f" \
	"627aaee306b0648fca65a509e51e2e14c0b715df6826499a04ce2eb9fc2b0fb0099b2a" \
	"88ef5d90c4138ea1524a3c57b7adc56ddbd232092456249c17e799415f627aaee306b0" \
	"648fca65a509e51e2e14c0b715df6826499a04ce2eb9fc2b0fb0099b2a88ef5d90c413" \
	"8ea1524a3c57b7adc5; cookie_consent=ae42dcb9a5d64f00f8265b64c6ac01bc12a" \
	"81b8d1f02aef3068343fba6deaf3703b2296530cb123a4dfaf199ea2074d2997e2723d" \
	"7f2a705d9a19e0f4e0f84a5ae42dcb9a5d64f00f8265b64c6ac01bc12a81b8d1f02aef" \
	"3068343fba6deaf3703b2296530cb123a4dfaf199ea2074d2997e27; tema=9d944647" \
	"91670173e4b82b3d4a001f5dd650315bbaca0335a968e8fc9d6d6ea6b349c1a015ee75" \
	"ab3288285b329e8d5a771adaf309620e840f02d6c0905d3c7b9d94464791670173e4b8" \
	"2b3d4a001f5dd650315bbaca0335a968e8fc9d6d6ea6b349c1a015ee75ab3288285b32" \
	"9e8d5a771ada; dil_tercihi=1abed77559542daac8bd73aa497a3adef8d6e1b30059" \
	"74255d8081513357161e3e987a7d1973c2db9f3c0403dde5951e9d857d8fd6543e9fa2" \
	"0a06d62b66cb471abed77559542daac8bd73aa497a3adef8d6e1b3005974255d808151" \
	"3357161e3e987a7d1973c2db9f3c0403dde5951e9d857d; oturum_izleme=11eb8b17" \
	"2b439de85bf194e5520489bea7a79cfa5514f829415656c1c7e63f93de25295b2f7770" \
	"48eaba3895639ddba9b75bfa6f60a3bc1fe4e601fb4d89b23311eb8b172b439de85bf1" \
	"94e5520489bea7a79cfa5514f829415656c1c7e63f93de25295b2f777048eaba389563" \
	"9ddba9b75bfa; son_sayfalar=e4e2d266c06681a0dfada6bb4c906bb30c50541cd3b" \
	"2f399d38bab74c7296cf8c1ecee94cb04a477a015ba166b49e812a7e926749309802b5" \
	"e12486e5ae60a16e4e2d266c06681a0dfada6bb4c906bb30c50541cd3b2f399d38bab7" \
	"4c7296cf8c1ecee94cb04a477a015ba166b49e812a7e926; _ga8=c652058c98df7828" \
	"54d83e52b69b8ec5dc00073bb8a8f25b95f1e5395760db70d9db9c326a4a3b6ba10258" \
	"9c3e4c77da5ca91b" \
	"; "
