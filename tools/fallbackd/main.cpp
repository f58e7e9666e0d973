// SPDX-License-Identifier: GPL-2.0
// khttpd-fallbackd: relays the connections khttpd.ko hands over to a
// backend web server. See docs/fallbackd.md.
#include <sys/resource.h>
#include <sys/socket.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>

#include "daemon.h"
#include "log.h"
#include "options.h"
#include "socket_address.h"

using namespace fallbackd;

namespace {

// Each relayed connection holds six descriptors: two sockets, two pipes.
constexpr rlim_t kFdsPerConnection = 6;
constexpr rlim_t kFdsSpare = 64;

// Raises the soft RLIMIT_NOFILE to the hard one; warns if even that is
// short of --max-connections.
void raise_fd_limit(unsigned max_connections)
{
	rlimit rl{};
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rlimit raised = rl;
		raised.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
		else
			log_warning("cannot raise RLIMIT_NOFILE to %llu: %s",
				    static_cast<unsigned long long>(rl.rlim_max), strerror(errno));
	}
	rlim_t needed = max_connections * kFdsPerConnection + kFdsSpare;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < needed)
		log_warning("RLIMIT_NOFILE is %llu: fewer descriptors than %u connections need "
			    "(%llu); connections beyond it get 503",
			    static_cast<unsigned long long>(rl.rlim_cur), max_connections,
			    static_cast<unsigned long long>(needed));
}

bool is_seqpacket_socket(int fd, std::string &why)
{
	int type = 0;
	socklen_t len = sizeof(type);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) {
		why = strerror(errno);
		return false;
	}
	if (type != SOCK_SEQPACKET) {
		why = "not a SOCK_SEQPACKET socket";
		return false;
	}
	return true;
}

// Which certificate answers which names, so that a wrong SNI choice can be
// read from the start-up lines.
void log_tls_certificates(const TlsContext &tls)
{
	const auto &certs = tls.certificates();
	for (size_t i = 0; i < certs.size(); i++) {
		std::string names;
		for (const std::string &n : certs[i].names)
			names += (names.empty() ? "" : ", ") + n;
		log_info("TLS certificate %s%s: %s%s", certs[i].cert_path.c_str(),
			 i == 0 ? " (default)" : "", names.empty() ? "(no names)" : names.c_str(),
			 certs[i].names_from_cn ? " (its CN: no DNS name)" : "");
	}
}

} // namespace

int main(int argc, char **argv)
{
	ParseResult parsed = parse_options(argc, argv);
	switch (parsed.outcome) {
	case ParseOutcome::kHelp:
		fputs(usage_text().c_str(), stdout);
		return kExitOk;
	case ParseOutcome::kVersion:
		fputs(version_text().c_str(), stdout);
		return kExitOk;
	case ParseOutcome::kError:
		fprintf(stderr,
			"khttpd-fallbackd: %s\n"
			"Try 'khttpd-fallbackd --help' for more information.\n",
			parsed.error.c_str());
		return kExitUsage;
	case ParseOutcome::kRun:
		break;
	}
	const Options &o = parsed.options;
	log_init(o.verbose);
	signal(SIGPIPE, SIG_IGN);
	// logrotate's SIGUSR1 and a reload's SIGHUP must not kill the daemon
	// while it starts: they wait, pending, for the signalfd Daemon::run()
	// makes.
	sigset_t early;
	sigemptyset(&early);
	sigaddset(&early, SIGUSR1);
	sigaddset(&early, SIGHUP);
	sigprocmask(SIG_BLOCK, &early, nullptr);

	HostPort backend = o.backend;
	if (!o.backend_given) {
		std::string warning;
		backend.host = "127.0.0.1";
		backend.port = default_backend_port(kClientPortPath, warning);
		backend.ipv6_literal = false;
		if (!warning.empty())
			log_warning("%s", warning.c_str());
	}
	DaemonConfig config;
	std::string error;
	if (!resolve_host_port(backend, config.backend, error)) {
		log_error("--backend: %s", error.c_str());
		return kExitUsage;
	}
	config.tls_backend = config.backend;
	if (o.tls_backend_given && !resolve_host_port(o.tls_backend, config.tls_backend, error)) {
		log_error("--tls-backend: %s", error.c_str());
		return kExitUsage;
	}
	if (!o.tls_certificates.empty()) {
		std::unique_ptr<TlsContext> tls = TlsContext::load(o.tls_certificates, error);
		if (!tls) {
			log_error("%s", error.c_str());
			return kExitUsage;
		}
		log_tls_certificates(*tls);
		config.tls = std::move(tls);
		config.tls_files = o.tls_certificates;
	}
	config.test_adopt_control = o.test_adopt_control;
	if (o.socket_fd >= 0 && !is_seqpacket_socket(o.socket_fd, error)) {
		log_error("--socket-fd %d: %s", o.socket_fd, error.c_str());
		return kExitUsage;
	}
	config.proxy_protocol = o.proxy_protocol;
	config.max_connections = o.max_connections;
	config.idle_timeout = o.idle_timeout;
	config.max_per_client = o.max_per_client;
	config.socket_fd = o.socket_fd;
	config.control_path = o.control_path;
	config.access_log = o.access_log_enabled();
	config.access_log_config.log_path = o.access_log;
	config.access_log_config.source_path = o.access_log_source;
	config.access_log_config.format = o.log_format;

	raise_fd_limit(o.max_connections);
	std::string per_client = o.max_per_client ? std::to_string(o.max_per_client) : "no cap";
	std::string idle = o.idle_timeout ? std::to_string(o.idle_timeout) + " s" : "never";
	std::string access_log = "off";
	if (config.access_log)
		access_log = o.access_log + " (" + log_format_name(o.log_format) + ")";
	log_info("version %s starting: backend %s, PROXY protocol %s, at most %u connections "
		 "(per client: %s), idle timeout %s, access log %s%s",
		 version_number(), format_address(config.backend).c_str(), o.proxy_protocol ? "on" : "off",
		 o.max_connections, per_client.c_str(), idle.c_str(), access_log.c_str(),
		 o.socket_fd >= 0 ? ", hand-overs from --socket-fd" : "");
	if (config.tls || o.tls_backend_given)
		log_info("TLS: %zu certificate(s), requests that came over TLS go to %s",
			 config.tls ? config.tls->certificates().size() : 0,
			 format_address(config.tls_backend).c_str());

	Daemon daemon(std::move(config));
	return daemon.run();
}
