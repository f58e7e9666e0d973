// SPDX-License-Identifier: GPL-2.0
// The built-in MIME table: the common types of a static web site, with
// nginx's choices (its mime.types) where several would do.
#include "mime.h"

namespace khttpd {
namespace {

struct MimeEntry {
	StrView ext;
	StrView type;
};

constexpr MimeEntry kMimeTable[] = {
	{"html", "text/html"},
	{"htm", "text/html"},
	{"css", "text/css"},
	{"js", "application/javascript"},
	{"mjs", "application/javascript"},
	{"json", "application/json"},
	{"txt", "text/plain"},
	{"xml", "text/xml"},
	{"csv", "text/csv"},
	{"md", "text/markdown"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"webp", "image/webp"},
	{"avif", "image/avif"},
	{"svg", "image/svg+xml"},
	{"svgz", "image/svg+xml"},
	{"ico", "image/x-icon"},
	{"bmp", "image/x-ms-bmp"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"ttf", "font/ttf"},
	{"otf", "font/otf"},
	{"wasm", "application/wasm"},
	{"pdf", "application/pdf"},
	{"zip", "application/zip"},
	{"gz", "application/gzip"},
	{"tar", "application/x-tar"},
	{"xz", "application/x-xz"},
	{"zst", "application/zstd"},
	{"bz2", "application/x-bzip2"},
	{"7z", "application/x-7z-compressed"},
	{"mp3", "audio/mpeg"},
	{"ogg", "audio/ogg"},
	{"m4a", "audio/x-m4a"},
	{"wav", "audio/wav"},
	{"mp4", "video/mp4"},
	{"webm", "video/webm"},
	{"mpeg", "video/mpeg"},
	{"mpg", "video/mpeg"},
	{"mov", "video/quicktime"},
	{"m3u8", "application/vnd.apple.mpegurl"},
	{"ts", "video/mp2t"},
	{"rss", "application/rss+xml"},
	{"atom", "application/atom+xml"},
	{"xhtml", "application/xhtml+xml"},
	{"rtf", "application/rtf"},
	{"doc", "application/msword"},
	{"iso", "application/octet-stream"},
	{"bin", "application/octet-stream"},
	{"map", "application/json"},
	{"webmanifest", "application/manifest+json"},
};

constexpr StrView kDefaultType = "application/octet-stream";

constexpr bool table_is_valid()
{
	for (const MimeEntry &e : kMimeTable) {
		if (e.ext.empty() || e.type.empty())
			return false;
		for (char c : e.ext)
			if (c == '.' || ascii_lower(c) != c)
				return false;
	}
	return true;
}
static_assert(table_is_valid(), "MIME extensions are lower case, without '.'");

} // namespace

StrView mime_type_for(StrView file_name)
{
	kh_size slash = file_name.rfind('/');
	StrView base = slash == StrView::npos ? file_name : file_name.substr(slash + 1);
	kh_size dot = base.rfind('.');
	if (dot == StrView::npos || dot == 0)
		return kDefaultType;
	StrView ext = base.substr(dot + 1);
	for (const MimeEntry &e : kMimeTable)
		if (ext.equals_icase(e.ext))
			return e.type;
	return kDefaultType;
}

} // namespace khttpd
