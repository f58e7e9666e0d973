// SPDX-License-Identifier: GPL-2.0
// The command line of khttpd-fallbackd.
#ifndef KHTTPD_FALLBACKD_OPTIONS_H
#define KHTTPD_FALLBACKD_OPTIONS_H

#include <cstdint>
#include <string>
#include <vector>

#include "access_log_format.h" // LogFormat
#include "socket_address.h"
#include "tls_context.h" // TlsCertificateFiles

namespace fallbackd {

inline constexpr char kClientPortPath[] = "/proc/sys/net/khttpd/clientport";
inline constexpr uint16_t kDefaultBackendPort = 8080;
inline constexpr unsigned kDefaultMaxConnections = 4096;
inline constexpr unsigned kMaxMaxConnections = 1000000;
// A relay with no byte moving either way for this long is closed.
inline constexpr unsigned kDefaultIdleTimeout = 60;	// seconds; 0: never
inline constexpr unsigned kMaxIdleTimeout = 86400;	// one day
// Relays one client address may hold at once. A browser opens 6 per host;
// 64 leaves room for a handful of them behind one NAT while a single
// address can take at most 64 of the 4096 default slots.
inline constexpr unsigned kDefaultMaxPerClient = 64;	// 0: no cap
inline constexpr char kDefaultAccessLog[] = "/var/log/khttpd/access.log";
// The module's binary access-log records (docs/observability.md).
inline constexpr char kAccessLogSource[] = "/proc/net/khttpd/access_log";

struct Options {
	bool backend_given = false; // --backend; else 127.0.0.1:clientport
	HostPort backend;
	bool proxy_protocol = true;  // --no-proxy-protocol clears it
	std::string control_path;    // --control; default KHTTPD_FALLBACK_CONTROL
	int socket_fd = -1;	     // --socket-fd; -1: register with the module
	unsigned max_connections = kDefaultMaxConnections;
	unsigned idle_timeout = kDefaultIdleTimeout;	 // --idle-timeout, seconds
	unsigned max_per_client = kDefaultMaxPerClient; // --max-per-client
	bool verbose = false;
	std::string access_log = kDefaultAccessLog; // --access-log
	bool access_log_given = false;
	bool no_access_log = false; // --no-access-log
	LogFormat log_format = LogFormat::kCombined; // --log-format
	bool log_format_given = false;
	// Hidden, for tests: read records from here (a FIFO) instead.
	std::string access_log_source = kAccessLogSource;
	// --tls-cert/--tls-key pairs, in order: the first is the default.
	std::vector<TlsCertificateFiles> tls_certificates;
	bool tls_backend_given = false; // --tls-backend; else the backend
	HostPort tls_backend;
	// Hidden, for tests (--test-adopt-control, with --socket-fd only):
	// the control file for KHTTPD_IOC_ADOPT, asked even without kernel TLS.
	std::string test_adopt_control;

	// The access log is written unless --no-access-log; with --socket-fd
	// (tests) only if --access-log is given, so that a test never writes
	// to /var/log.
	bool access_log_enabled() const
	{
		return !no_access_log && (socket_fd < 0 || access_log_given);
	}
};

enum class ParseOutcome {
	kRun,	  // options are valid: run the daemon
	kHelp,	  // --help: print usage_text(), exit 0
	kVersion, // --version: print version_text(), exit 0
	kError,	  // print the error and a hint, exit 2
};

struct ParseResult {
	ParseOutcome outcome = ParseOutcome::kError;
	Options options;
	std::string error; // kError: what is wrong, one line
};

// Parses argv[1..argc-1]. "--name VALUE" and "--name=VALUE" both work.
ParseResult parse_options(int argc, const char *const *argv);

std::string usage_text();
std::string version_text(); // "khttpd-fallbackd 0.1.0\n"
const char *version_number(); // "0.1.0"

// The backend port when --backend is not given: the number in @path (the
// khttpd clientport sysctl) if that file exists, else 8080. A file that
// exists but does not hold a port 1-65535 gives 8080 and sets @warning.
uint16_t default_backend_port(const char *path, std::string &warning);

} // namespace fallbackd

#endif
