// SPDX-License-Identifier: GPL-2.0
// Logging to stderr, one line per call, safe from any thread.
//
// Under systemd (stderr is the journal, see JOURNAL_STREAM in
// systemd.exec(5)) each line starts with a "<N>" syslog priority, which
// journald turns into the entry's priority. On a terminal the line reads
// "khttpd-fallbackd: error: ...".
#ifndef KHTTPD_FALLBACKD_LOG_H
#define KHTTPD_FALLBACKD_LOG_H

namespace fallbackd {

#define FALLBACKD_PRINTF(f, a) __attribute__((format(printf, f, a)))

// Reads the environment once; call before any other thread starts.
void log_init(bool verbose);

// True when per-connection lines are wanted (--verbose).
bool log_verbose_enabled();

void log_error(const char *fmt, ...) FALLBACKD_PRINTF(1, 2);
void log_warning(const char *fmt, ...) FALLBACKD_PRINTF(1, 2);
void log_info(const char *fmt, ...) FALLBACKD_PRINTF(1, 2);
// Only with --verbose.
void log_debug(const char *fmt, ...) FALLBACKD_PRINTF(1, 2);

} // namespace fallbackd

#endif
