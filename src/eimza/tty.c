/* tty.c - prompts on /dev/tty so that the PIN never passes through a pipe
 * and is never echoed; falls back to stdin/stderr without a terminal. */
#include "eimza/tty.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static void strip(char *buf)
{
	size_t n = strlen(buf);

	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
}

int tty_read_line(const char *prompt, bool secret, char *buf, size_t n)
{
	struct termios old, noecho;
	bool restore = false;
	FILE *in;
	int fd;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	in = fd >= 0 ? fdopen(fd, "r+") : stdin;
	if (!in)
		return -errno;
	fputs(prompt, stderr);
	fflush(stderr);
	if (secret && tcgetattr(fileno(in), &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)ECHO;
		restore = tcsetattr(fileno(in), TCSAFLUSH, &noecho) == 0;
	}
	if (!fgets(buf, (int)n, in)) {
		if (restore)
			tcsetattr(fileno(in), TCSAFLUSH, &old);
		if (in != stdin)
			fclose(in);
		return -ENODATA;
	}
	if (restore) {
		tcsetattr(fileno(in), TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (in != stdin)
		fclose(in);
	strip(buf);
	return 0;
}

int stdin_read_line(char *buf, size_t n)
{
	if (!fgets(buf, (int)n, stdin))
		return -ENODATA;
	strip(buf);
	return 0;
}

bool tty_confirm(const char *question)
{
	char ans[16];

	if (tty_read_line(question, false, ans, sizeof(ans)) < 0)
		return false;
	return ans[0] == 'e' || ans[0] == 'E' || ans[0] == 'y' || ans[0] == 'Y';
}
