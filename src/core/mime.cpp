// SPDX-License-Identifier: GPL-2.0
// The built-in MIME table: the common types of a web site, with nginx's
// choices (its mime.types) where several would do, plus newer formats from
// Debian's /etc/mime.types (media-types). Sorted by extension, so a lookup
// is a binary search like that of a loaded table (mime_table.cpp).
#include "mime.h"

namespace khttpd {
namespace {

struct MimeEntry {
	StrView ext; // lower case
	StrView type;
};

constexpr MimeEntry kMimeTable[] = {
	{"3gp", "video/3gpp"},
	{"3gpp", "video/3gpp"},
	{"7z", "application/x-7z-compressed"},
	{"aac", "audio/aac"},
	{"ai", "application/postscript"},
	{"apk", "application/vnd.android.package-archive"},
	{"apng", "image/apng"},
	{"asf", "video/x-ms-asf"},
	{"asx", "video/x-ms-asf"},
	{"atom", "application/atom+xml"},
	{"avi", "video/x-msvideo"},
	{"avif", "image/avif"},
	{"bin", "application/octet-stream"},
	{"bmp", "image/x-ms-bmp"},
	{"bz2", "application/x-bzip2"},
	{"crt", "application/x-x509-ca-cert"},
	{"css", "text/css"},
	{"csv", "text/csv"},
	{"deb", "application/octet-stream"},
	{"der", "application/x-x509-ca-cert"},
	{"dll", "application/octet-stream"},
	{"dmg", "application/octet-stream"},
	{"doc", "application/msword"},
	{"docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	{"ear", "application/java-archive"},
	{"eot", "application/vnd.ms-fontobject"},
	{"eps", "application/postscript"},
	{"epub", "application/epub+zip"},
	{"exe", "application/octet-stream"},
	{"flac", "audio/flac"},
	{"flv", "video/x-flv"},
	{"geojson", "application/geo+json"},
	{"gif", "image/gif"},
	{"gz", "application/gzip"},
	{"heic", "image/heic"},
	{"heif", "image/heif"},
	{"htm", "text/html"},
	{"html", "text/html"},
	{"ico", "image/x-icon"},
	{"ics", "text/calendar"},
	{"img", "application/octet-stream"},
	{"iso", "application/octet-stream"},
	{"jar", "application/java-archive"},
	{"jpeg", "image/jpeg"},
	{"jpg", "image/jpeg"},
	{"js", "application/javascript"},
	{"json", "application/json"},
	{"jsonld", "application/ld+json"},
	{"jxl", "image/jxl"},
	{"kar", "audio/midi"},
	{"kml", "application/vnd.google-earth.kml+xml"},
	{"kmz", "application/vnd.google-earth.kmz"},
	{"m3u8", "application/vnd.apple.mpegurl"},
	{"m4a", "audio/x-m4a"},
	{"m4v", "video/x-m4v"},
	{"map", "application/json"},
	{"md", "text/markdown"},
	{"mid", "audio/midi"},
	{"midi", "audio/midi"},
	{"mjs", "application/javascript"},
	{"mkv", "video/x-matroska"},
	{"mml", "text/mathml"},
	{"mov", "video/quicktime"},
	{"mp3", "audio/mpeg"},
	{"mp4", "video/mp4"},
	{"mpd", "application/dash+xml"},
	{"mpeg", "video/mpeg"},
	{"mpg", "video/mpeg"},
	{"msi", "application/octet-stream"},
	{"odg", "application/vnd.oasis.opendocument.graphics"},
	{"odp", "application/vnd.oasis.opendocument.presentation"},
	{"ods", "application/vnd.oasis.opendocument.spreadsheet"},
	{"odt", "application/vnd.oasis.opendocument.text"},
	{"oga", "audio/ogg"},
	{"ogg", "audio/ogg"},
	{"ogv", "video/ogg"},
	{"opus", "audio/ogg"},
	{"otf", "font/otf"},
	{"pdf", "application/pdf"},
	{"pem", "application/x-x509-ca-cert"},
	{"png", "image/png"},
	{"ppt", "application/vnd.ms-powerpoint"},
	{"pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation"},
	{"ps", "application/postscript"},
	{"rar", "application/x-rar-compressed"},
	{"rpm", "application/x-redhat-package-manager"},
	{"rss", "application/rss+xml"},
	{"rtf", "application/rtf"},
	{"shtml", "text/html"},
	{"svg", "image/svg+xml"},
	{"svgz", "image/svg+xml"},
	{"tar", "application/x-tar"},
	{"tif", "image/tiff"},
	{"tiff", "image/tiff"},
	{"ts", "video/mp2t"},
	{"ttc", "font/collection"},
	{"ttf", "font/ttf"},
	{"txt", "text/plain"},
	{"vcf", "text/vcard"},
	{"vtt", "text/vtt"},
	{"war", "application/java-archive"},
	{"wasm", "application/wasm"},
	{"wav", "audio/wav"},
	{"webm", "video/webm"},
	{"webmanifest", "application/manifest+json"},
	{"webp", "image/webp"},
	{"wmv", "video/x-ms-wmv"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"xhtml", "application/xhtml+xml"},
	{"xls", "application/vnd.ms-excel"},
	{"xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
	{"xml", "text/xml"},
	{"xz", "application/x-xz"},
	{"zip", "application/zip"},
	{"zst", "application/zstd"},
};

constexpr kh_u32 kMimeCount = sizeof(kMimeTable) / sizeof(kMimeTable[0]);

constexpr StrView kDefaultType = "application/octet-stream";

constexpr bool table_is_valid()
{
	for (const MimeEntry &e : kMimeTable) {
		if (!mime_valid_ext(e.ext) || !mime_valid_type(e.type))
			return false;
		for (char c : e.ext)
			if (ascii_lower(c) != c)
				return false;
	}
	return true;
}
static_assert(table_is_valid(),
	      "MIME extensions are lower-case tokens without a leading '.', types token/token");

constexpr bool table_is_sorted()
{
	for (kh_u32 i = 1; i < kMimeCount; i++)
		if (mime_ext_compare(kMimeTable[i - 1].ext, kMimeTable[i].ext) >= 0)
			return false;
	return true;
}
static_assert(table_is_sorted(), "the MIME table is sorted by extension, without duplicates");

constexpr long builtin_find(StrView ext)
{
	return mime_find(ext, kMimeCount, [](kh_u32 i) { return kMimeTable[i].ext; });
}

static_assert(builtin_find("html") >= 0 && builtin_find("HTML") == builtin_find("html") &&
		      builtin_find("zst") == kMimeCount - 1 && builtin_find("3gp") == 0 &&
		      builtin_find("htm") != builtin_find("html") && builtin_find("") < 0 &&
		      builtin_find("nope") < 0,
	      "binary search over the built-in table");

} // namespace

StrView mime_builtin_lookup(StrView ext)
{
	long i = builtin_find(ext);
	return i < 0 ? StrView() : kMimeTable[i].type;
}

kh_u32 mime_builtin_count()
{
	return kMimeCount;
}

StrView mime_builtin_ext(kh_u32 i)
{
	return kMimeTable[i].ext;
}

StrView mime_builtin_type(kh_u32 i)
{
	return kMimeTable[i].type;
}

StrView mime_type_for(StrView file_name)
{
	StrView type = mime_builtin_lookup(mime_extension(file_name));
	return type.empty() ? kDefaultType : type;
}

} // namespace khttpd
