// SPDX-License-Identifier: GPL-2.0
#include "log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>

namespace fallbackd {
namespace {

constexpr char kProgram[] = "khttpd-fallbackd";

bool g_verbose = false;
bool g_journal = false;

// syslog(3) priorities, as journald reads them in a "<N>" prefix.
enum Priority { kErr = 3, kWarning = 4, kInfo = 6, kDebug = 7 };

// JOURNAL_STREAM holds "DEVICE:INODE" of the journal stream systemd
// connected; stderr is that stream if it still has this identity.
bool stderr_is_journal()
{
	const char *env = getenv("JOURNAL_STREAM");
	if (!env)
		return false;
	unsigned long long dev = 0, ino = 0;
	if (sscanf(env, "%llu:%llu", &dev, &ino) != 2)
		return false;
	struct stat st {};
	if (fstat(STDERR_FILENO, &st) != 0)
		return false;
	return st.st_dev == dev && st.st_ino == ino;
}

void write_all_stderr(const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; // nowhere to report it
		buf += n;
		len -= static_cast<size_t>(n);
	}
}

void vlog(Priority prio, const char *fmt, va_list ap)
{
	int saved_errno = errno;
	char line[2048];
	int used;
	if (g_journal) {
		used = snprintf(line, sizeof(line), "<%d>", prio);
	} else {
		const char *label = prio == kErr ? "error: " : prio == kWarning ? "warning: " : "";
		used = snprintf(line, sizeof(line), "%s: %s", kProgram, label);
	}
	if (used < 0)
		used = 0;
	size_t room = sizeof(line) - 1; // keep one byte for the newline
	size_t pos = static_cast<size_t>(used) < room ? static_cast<size_t>(used) : room;
	int n = vsnprintf(line + pos, sizeof(line) - pos, fmt, ap);
	if (n > 0)
		pos += static_cast<size_t>(n);
	if (pos > room)
		pos = room; // truncated
	line[pos++] = '\n';
	write_all_stderr(line, pos); // one write: lines from threads do not mix
	errno = saved_errno;
}

} // namespace

void log_init(bool verbose)
{
	g_verbose = verbose;
	g_journal = stderr_is_journal();
}

bool log_verbose_enabled()
{
	return g_verbose;
}

#define FALLBACKD_DEFINE_LOG(name, prio, condition)  \
	void name(const char *fmt, ...)              \
	{                                            \
		if (!(condition))                    \
			return;                      \
		va_list ap;                          \
		va_start(ap, fmt);                   \
		vlog(prio, fmt, ap);                 \
		va_end(ap);                          \
	}

FALLBACKD_DEFINE_LOG(log_error, kErr, true)
FALLBACKD_DEFINE_LOG(log_warning, kWarning, true)
FALLBACKD_DEFINE_LOG(log_info, kInfo, true)
FALLBACKD_DEFINE_LOG(log_debug, kDebug, g_verbose)

#undef FALLBACKD_DEFINE_LOG

} // namespace fallbackd
