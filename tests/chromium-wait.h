/* chromium-wait.h - the header lines Chromium sends with the page's
 * long-poll fetch (ceremony.js), after the request line and before the
 * Cookie line: about 650 bytes.  Shared by the unit test of the request
 * recognizer and the ceremony benchmark, so both see a real browser's
 * request and not a minimal one. */
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
