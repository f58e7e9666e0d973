// SPDX-License-Identifier: GPL-2.0
#include "options.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "khttpd/fallback.h"

#ifndef KHTTPD_FALLBACKD_VERSION
#define KHTTPD_FALLBACKD_VERSION "0.0.0"
#endif

namespace fallbackd {
namespace {

// Parses a decimal number in [min, max]; no sign, no spaces.
bool parse_number(std::string_view text, unsigned long min, unsigned long max,
		  unsigned long &out)
{
	if (text.empty() || text.size() > 10)
		return false;
	unsigned long value = 0;
	for (char c : text) {
		if (c < '0' || c > '9')
			return false;
		value = value * 10 + static_cast<unsigned long>(c - '0');
	}
	if (value < min || value > max)
		return false;
	out = value;
	return true;
}

ParseResult fail(std::string message)
{
	ParseResult r;
	r.outcome = ParseOutcome::kError;
	r.error = std::move(message);
	return r;
}

} // namespace

ParseResult parse_options(int argc, const char *const *argv)
{
	ParseResult r;
	r.outcome = ParseOutcome::kRun;
	Options &o = r.options;
	o.control_path = KHTTPD_FALLBACK_CONTROL;
	bool control_given = false;
	std::vector<std::string> certs, keys;

	for (int i = 1; i < argc; i++) {
		std::string_view arg = argv[i];
		if (arg == "--") {
			// The end of options; the daemon takes no operands.
			if (i + 1 < argc)
				return fail("unexpected argument '" + std::string(argv[i + 1]) + "'");
			break;
		}
		if (arg.size() < 2 || arg[0] != '-')
			return fail("unexpected argument '" + std::string(arg) + "'");
		if (arg == "-h")
			arg = "--help";

		// Split "--name=value".
		std::string_view name = arg, inline_value;
		bool has_inline = false;
		if (size_t eq = arg.find('='); eq != std::string_view::npos && arg.rfind("--", 0) == 0) {
			name = arg.substr(0, eq);
			inline_value = arg.substr(eq + 1);
			has_inline = true;
		}

		bool takes_value = name == "--backend" || name == "--control" ||
				   name == "--socket-fd" || name == "--max-connections" ||
				   name == "--idle-timeout" || name == "--max-per-client" ||
				   name == "--access-log" || name == "--access-log-source" ||
				   name == "--log-format" || name == "--tls-cert" ||
				   name == "--tls-key" || name == "--tls-backend" ||
				   name == "--test-adopt-control";
		bool is_flag = name == "--help" || name == "--version" || name == "--verbose" ||
			       name == "--no-proxy-protocol" || name == "--no-access-log";
		if (!takes_value && !is_flag)
			return fail("unknown option '" + std::string(name) + "'");
		if (is_flag && has_inline)
			return fail("option '" + std::string(name) + "' takes no value");

		std::string_view value;
		if (takes_value) {
			if (has_inline) {
				value = inline_value;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				return fail("option '" + std::string(name) + "' needs a value");
			}
		}

		if (name == "--help") {
			r.outcome = ParseOutcome::kHelp;
			return r;
		} else if (name == "--version") {
			r.outcome = ParseOutcome::kVersion;
			return r;
		} else if (name == "--verbose") {
			o.verbose = true;
		} else if (name == "--no-proxy-protocol") {
			o.proxy_protocol = false;
		} else if (name == "--no-access-log") {
			o.no_access_log = true;
		} else if (name == "--access-log") {
			if (value.empty() || value[0] != '/')
				return fail("--access-log '" + std::string(value) +
					    "': expected an absolute path");
			o.access_log = std::string(value);
			o.access_log_given = true;
		} else if (name == "--log-format") {
			if (!parse_log_format(value, o.log_format))
				return fail("--log-format '" + std::string(value) +
					    "': expected combined or vhost_combined");
			o.log_format_given = true;
		} else if (name == "--access-log-source") {
			if (value.empty())
				return fail("--access-log-source needs a path");
			o.access_log_source = std::string(value);
		} else if (name == "--tls-cert" || name == "--tls-key") {
			if (value.empty())
				return fail(std::string(name) + " needs a file name");
			(name == "--tls-cert" ? certs : keys).emplace_back(value);
		} else if (name == "--tls-backend") {
			std::string why;
			if (!parse_host_port(value, o.tls_backend, why))
				return fail("--tls-backend '" + std::string(value) + "': " + why);
			o.tls_backend_given = true;
		} else if (name == "--test-adopt-control") {
			if (value.empty())
				return fail("--test-adopt-control needs a path");
			o.test_adopt_control = std::string(value);
		} else if (name == "--backend") {
			std::string why;
			if (!parse_host_port(value, o.backend, why))
				return fail("--backend '" + std::string(value) + "': " + why);
			o.backend_given = true;
		} else if (name == "--control") {
			if (value.empty())
				return fail("--control needs a path");
			o.control_path = std::string(value);
			control_given = true;
		} else if (name == "--socket-fd") {
			unsigned long fd;
			if (!parse_number(value, 0, 2147483647ul, fd))
				return fail("--socket-fd '" + std::string(value) +
					    "': expected a file descriptor number");
			o.socket_fd = static_cast<int>(fd);
		} else if (name == "--max-connections") {
			unsigned long n;
			if (!parse_number(value, 1, kMaxMaxConnections, n))
				return fail("--max-connections '" + std::string(value) +
					    "': expected a number from 1 to " +
					    std::to_string(kMaxMaxConnections));
			o.max_connections = static_cast<unsigned>(n);
		} else if (name == "--idle-timeout") {
			unsigned long n;
			if (!parse_number(value, 0, kMaxIdleTimeout, n))
				return fail("--idle-timeout '" + std::string(value) +
					    "': expected seconds from 0 (never) to " +
					    std::to_string(kMaxIdleTimeout));
			o.idle_timeout = static_cast<unsigned>(n);
		} else if (name == "--max-per-client") {
			unsigned long n;
			if (!parse_number(value, 0, kMaxMaxConnections, n))
				return fail("--max-per-client '" + std::string(value) +
					    "': expected a number from 0 (no cap) to " +
					    std::to_string(kMaxMaxConnections));
			o.max_per_client = static_cast<unsigned>(n);
		}
	}
	if (certs.size() != keys.size())
		return fail("--tls-cert and --tls-key come in pairs: " + std::to_string(certs.size()) +
			    " certificate(s), " + std::to_string(keys.size()) + " key(s)");
	for (size_t i = 0; i < certs.size(); i++)
		o.tls_certificates.push_back({certs[i], keys[i]});
	if (!o.test_adopt_control.empty() && o.socket_fd < 0)
		return fail("--test-adopt-control needs --socket-fd");
	if (control_given && o.socket_fd >= 0)
		return fail("--control and --socket-fd exclude each other");
	if (o.access_log_given && o.no_access_log)
		return fail("--access-log and --no-access-log exclude each other");
	if (o.log_format_given && o.no_access_log)
		return fail("--log-format and --no-access-log exclude each other");
	return r;
}

std::string usage_text()
{
	return "Usage: khttpd-fallbackd [OPTION]...\n"
	       "Relays the connections khttpd.ko hands over (requests the kernel does not\n"
	       "serve) to a backend web server such as Apache httpd.\n"
	       "\n"
	       "Without options it registers with the loaded module through\n"
	       "  " KHTTPD_FALLBACK_CONTROL ",\n"
	       "relays to 127.0.0.1:PORT, PORT being the number in\n"
	       "  " + std::string(kClientPortPath) + " (8080 if that file does not exist),\n"
	       "and stays in the foreground. Logs go to stderr.\n"
	       "\n"
	       "Options:\n"
	       "  --backend HOST:PORT     relay to HOST:PORT; HOST is a name or an IPv4\n"
	       "                          address, an IPv6 address goes in brackets:\n"
	       "                          [::1]:8080\n"
	       "  --no-proxy-protocol     do not send the PROXY protocol v2 header that\n"
	       "                          carries the client's address to the backend\n"
	       "  --control PATH          the module's control file\n"
	       "                          (default " KHTTPD_FALLBACK_CONTROL ")\n"
	       "  --socket-fd N           do not register: read hand-over messages from the\n"
	       "                          open SOCK_SEQPACKET socket N (for tests); exit 0\n"
	       "                          at its end of file once every relay is done\n"
	       "  --max-connections N     relay at most N connections at once (default " +
	       std::to_string(kDefaultMaxConnections) +
	       ");\n"
	       "                          beyond that a hand-over gets a 503 answer\n"
	       "  --max-per-client N      relay at most N connections at once from one client\n"
	       "                          address (default " +
	       std::to_string(kDefaultMaxPerClient) +
	       ", 0: no cap); beyond that a\n"
	       "                          hand-over gets a 503 answer. ::ffff:a.b.c.d counts\n"
	       "                          as a.b.c.d\n"
	       "  --idle-timeout SECONDS  close a relayed connection, both sides, when no\n"
	       "                          byte moved either way for SECONDS (default " +
	       std::to_string(kDefaultIdleTimeout) +
	       ";\n"
	       "                          0: never); covers half-closed connections too\n"
	       "  --access-log PATH       append the access log khttpd.ko keeps (read from\n"
	       "                          " + std::string(kAccessLogSource) + ") to PATH in\n"
	       "                          nginx's combined format plus the request time in\n"
	       "                          microseconds (default " + std::string(kDefaultAccessLog) + ";\n"
	       "                          with --socket-fd only if given)\n"
	       "  --log-format FORMAT     the access log's lines: combined (the default, as\n"
	       "                          above) or vhost_combined (the request's Host\n"
	       "                          first, then the combined line; for vhosts=1)\n"
	       "  --no-access-log         do not write the access log\n"
	       "  --tls-cert FILE --tls-key FILE\n"
	       "                          HTTPS (khttpd's tls_port): a PEM certificate (with\n"
	       "                          its chain) and its private key; repeat the pair for\n"
	       "                          more names. The first is the default; a client's\n"
	       "                          SNI picks another by its DNS names (*.example.com\n"
	       "                          matches one label; the CN if there is no DNS name).\n"
	       "                          Without them a TLS hand-over is closed at once\n"
	       "  --tls-backend HOST:PORT relay requests that came over TLS there (default:\n"
	       "                          the backend), e.g. an Apache virtual host with\n"
	       "                          SetEnv HTTPS on: mod_remoteip ignores the PROXY\n"
	       "                          header's TLS fields\n"
	       "  --verbose               log every connection\n"
	       "  -h, --help              print this help and exit\n"
	       "  --version               print the version and exit\n"
	       "\n"
	       "Signals: SIGTERM and SIGINT close every connection and exit 0; SIGUSR1\n"
	       "reopens the access log (after logrotate renamed it).\n"
	       "Exit status: 0 on a normal stop, 1 when registration or the daemon fails\n"
	       "(module not loaded, not root, another daemon registered), 2 on bad options.\n";
}

std::string version_text()
{
	return "khttpd-fallbackd " KHTTPD_FALLBACKD_VERSION "\n";
}

const char *version_number()
{
	return KHTTPD_FALLBACKD_VERSION;
}

uint16_t default_backend_port(const char *path, std::string &warning)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno != ENOENT)
			warning = std::string("cannot read ") + path + ": " + strerror(errno) +
				  "; using port " + std::to_string(kDefaultBackendPort);
		return kDefaultBackendPort;
	}
	char buf[32] = "";
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	std::string_view text(buf, n);
	while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
		text.remove_suffix(1);
	unsigned long port;
	if (!parse_number(text, 1, 65535, port)) {
		warning = std::string(path) + " does not hold a port number; using port " +
			  std::to_string(kDefaultBackendPort);
		return kDefaultBackendPort;
	}
	return static_cast<uint16_t>(port);
}

} // namespace fallbackd
