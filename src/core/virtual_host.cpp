// SPDX-License-Identifier: GPL-2.0
// The host a request names, made safe to use as one directory name.
#include "virtual_host.h"

#include "request_path.h"

namespace khttpd {
namespace {

constexpr bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
	       c == '_';
}

constexpr bool is_v6_char(char c)
{
	return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9') || c == ':' || c == '.';
}

constexpr char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool all_digits(StrView s)
{
	for (char c : s)
		if (c < '0' || c > '9')
			return false;
	return true;
}

// @host without its port: "[v6]:80" -> "[v6]", "a.example:80" -> "a.example".
// False if the port or the brackets are malformed.
bool strip_port(StrView &host)
{
	kh_size colon;
	if (!host.empty() && host[0] == '[') {
		kh_size close = host.find(']');
		if (close == StrView::npos)
			return false;
		colon = close + 1;
		if (colon == host.size())
			return true;
		if (host[colon] != ':')
			return false;
	} else {
		colon = host.find(':');
		if (colon == StrView::npos)
			return true;
	}
	// An empty port is allowed (RFC 3986 section 3.2.3).
	if (!all_digits(host.substr(colon + 1)))
		return false;
	host = host.substr(0, colon);
	return true;
}

} // namespace

StrView request_host(const RequestHead &head)
{
	StrView authority = target_authority(head.target);
	if (!authority.empty())
		return authority;
	return head.has_host ? head.host : StrView();
}

kh_u16 virtual_host(const RequestHead &head, char *out, kh_size &len)
{
	len = 0;
	StrView host = target_authority(head.target);
	bool from_target = !host.empty();
	if (!from_target) {
		if (!head.has_host)
			return 0; // HTTP/1.0 without Host
		host = head.host;
	}
	if (host.find('@') != StrView::npos)
		return 400; // userinfo: "http://user@host/"
	if (!strip_port(host))
		return 400;
	if (host.size() > 1 && host[host.size() - 1] == '.')
		host = host.substr(0, host.size() - 1); // "a.example." is "a.example"
	if (host.empty())
		return from_target ? 400 : 0; // "Host:" with no value: no host
	if (host.size() > kHostMax)
		return 400;
	bool v6 = host[0] == '[';
	if (host[0] == '.')
		return 400; // ".", ".hidden"
	for (kh_size i = 0; i < host.size(); i++) {
		char c = lower(host[i]);
		bool ok = v6 ? (i == 0 || i == host.size() - 1 ? true : is_v6_char(c))
			     : is_name_char(c);
		if (!ok)
			return 400;
		if (c == '.' && i + 1 < host.size() && host[i + 1] == '.')
			return 400; // ".." (also the dot segment itself)
		out[i] = c;
	}
	if (v6 && (host.size() < 3 || host[host.size() - 1] != ']'))
		return 400;
	len = host.size();
	return 0;
}

} // namespace khttpd
