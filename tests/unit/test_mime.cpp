// SPDX-License-Identifier: GPL-2.0
// The MIME tables: the built-in one, tables built from mime.types text,
// and the parser's limits. One file, longer than most: its cases share
// the table builders and the reference parser they are checked against.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "fake_kapi.h"
#include "khttpd/mime_table.h"
#include "mime.h"
#include "test_util.h"

using namespace khttpd;

namespace {
std::string mime(const std::string &name)
{
	return str(mime_type_for(sv(name)));
}
} // namespace

TEST(Mime, KnownTypes)
{
	EXPECT_EQ(mime("index.html"), "text/html");
	EXPECT_EQ(mime("a.htm"), "text/html");
	EXPECT_EQ(mime("style.css"), "text/css");
	EXPECT_EQ(mime("app.js"), "application/javascript");
	EXPECT_EQ(mime("logo.png"), "image/png");
	EXPECT_EQ(mime("photo.jpeg"), "image/jpeg");
	EXPECT_EQ(mime("x.svg"), "image/svg+xml");
	EXPECT_EQ(mime("f.woff2"), "font/woff2");
	EXPECT_EQ(mime("site.webmanifest"), "application/manifest+json");
	EXPECT_EQ(mime("readme.txt"), "text/plain");
}

TEST(Mime, CaseInsensitive)
{
	EXPECT_EQ(mime("INDEX.HTML"), "text/html");
	EXPECT_EQ(mime("Photo.JpG"), "image/jpeg");
	EXPECT_EQ(mime("a.Css"), "text/css");
}

TEST(Mime, LastExtensionWins)
{
	EXPECT_EQ(mime("archive.tar.gz"), "application/gzip");
	EXPECT_EQ(mime("page.html.bak"), "application/octet-stream");
}

TEST(Mime, NoOrUnknownExtension)
{
	EXPECT_EQ(mime("Makefile"), "application/octet-stream");
	EXPECT_EQ(mime("file."), "application/octet-stream");
	EXPECT_EQ(mime("file.unknownext"), "application/octet-stream");
	EXPECT_EQ(mime(""), "application/octet-stream");
	EXPECT_EQ(mime("a.htmlx"), "application/octet-stream");
	EXPECT_EQ(mime("a.ht"), "application/octet-stream");
}

TEST(Mime, Dotfile)
{
	EXPECT_EQ(mime(".html"), "application/octet-stream");
	EXPECT_EQ(mime("dir/.css"), "application/octet-stream");
	EXPECT_EQ(mime(".config.json"), "application/json");
}

TEST(Mime, DotsInDirectories)
{
	EXPECT_EQ(mime("v1.2/README"), "application/octet-stream");
	EXPECT_EQ(mime("a.html/b"), "application/octet-stream");
	EXPECT_EQ(mime("a.b/c.d/e.png"), "image/png");
	EXPECT_EQ(mime("dir.d/index.html"), "text/html");
}

// --- built-in table through the C interface ---------------------------------

TEST(Mime, BuiltinLookupFindsEveryEntry)
{
	kh_u32 n = mime_builtin_count();
	EXPECT_EQ(khttpd_mime_table_count(nullptr), n);
	EXPECT_GE(n, 100u);
	for (kh_u32 i = 0; i < n; i++) {
		std::string ext = str(mime_builtin_ext(i));
		std::string type = str(mime_builtin_type(i));
		EXPECT_TRUE(mime_valid_type(mime_builtin_type(i))) << type;
		if (i > 0) {
			EXPECT_LT(str(mime_builtin_ext(i - 1)), ext);
		}
		EXPECT_EQ(mime("x." + ext), type);
		std::string upper = ext;
		for (char &c : upper)
			c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
		EXPECT_EQ(mime("dir/Name." + upper), type);
		const char *t = nullptr;
		std::string name = "a/b/c." + ext;
		ASSERT_EQ(khttpd_mime_table_lookup(nullptr, name.data(), name.size(), &t), type.size());
		EXPECT_EQ(std::string(t, type.size()), type);
	}
}

TEST(Mime, BuiltinWebTypes)
{
	// A few the table gained with the sorted rewrite (nginx / Debian).
	EXPECT_EQ(mime("a.shtml"), "text/html");
	EXPECT_EQ(mime("a.mjs"), "application/javascript");
	EXPECT_EQ(mime("a.ico"), "image/x-icon");
	EXPECT_EQ(mime("a.eot"), "application/vnd.ms-fontobject");
	EXPECT_EQ(mime("a.ttc"), "font/collection");
	EXPECT_EQ(mime("a.ogv"), "video/ogg");
	EXPECT_EQ(mime("a.opus"), "audio/ogg");
	EXPECT_EQ(mime("a.flac"), "audio/flac");
	EXPECT_EQ(mime("a.jxl"), "image/jxl");
	EXPECT_EQ(mime("a.vtt"), "text/vtt");
	EXPECT_EQ(mime("a.ics"), "text/calendar");
	EXPECT_EQ(mime("a.mpd"), "application/dash+xml");
	EXPECT_EQ(mime("a.epub"), "application/epub+zip");
	EXPECT_EQ(mime("a.jsonld"), "application/ld+json");
	EXPECT_EQ(mime("a.docx"),
		  "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
	EXPECT_EQ(mime("a.exe"), "application/octet-stream");
	EXPECT_EQ(mime("a.3gp"), "video/3gpp");
}

// --- loaded tables -----------------------------------------------------------

namespace {

// A built table and the memory it lives in.
struct Table {
	std::vector<uint64_t> mem; // 8-byte aligned
	const khttpd_mime_table *t = nullptr;
	kh_size size = 0;
	kh_u32 err_line = 0;
};

Table build(const std::string &text)
{
	Table r;
	r.err_line = 12345;
	r.size = khttpd_mime_table_size(text.data(), text.size(), &r.err_line);
	if (!r.size)
		return r;
	EXPECT_EQ(r.err_line, 0u);
	r.mem.resize((r.size + 7) / 8);
	r.t = khttpd_mime_table_build(text.data(), text.size(), r.mem.data(), r.size);
	EXPECT_NE(r.t, nullptr);
	EXPECT_EQ(static_cast<const void *>(r.t), static_cast<const void *>(r.mem.data()));
	return r;
}

// The type for @name in @t, "" if unknown.
std::string lookup(const khttpd_mime_table *t, const std::string &name)
{
	const char *type = nullptr;
	kh_size n = khttpd_mime_table_lookup(t, name.data(), name.size(), &type);
	if (!n)
		return "";
	EXPECT_NE(type, nullptr);
	EXPECT_LE(n, size_t{KHTTPD_MIME_TYPE_MAX});
	return std::string(type, n);
}

// The line number a malformed text is rejected at; 0 if it is accepted.
kh_u32 bad_line(const std::string &text)
{
	kh_u32 line = 0;
	kh_size size = khttpd_mime_table_size(text.data(), text.size(), &line);
	if (size) {
		EXPECT_EQ(line, 0u);
		return 0;
	}
	EXPECT_NE(line, 0u);
	// build refuses it too, whatever memory it gets.
	std::vector<uint64_t> mem(text.size() + 64);
	EXPECT_EQ(khttpd_mime_table_build(text.data(), text.size(), mem.data(), mem.size() * 8),
		  nullptr);
	return line;
}

// An independent model of the format: the extension -> type map, or the
// first bad line.
struct Model {
	std::map<std::string, std::string> map;
	kh_u32 bad = 0;
	size_t words = 0;
};

bool model_tchar(unsigned char c)
{
	return isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool model_token(const std::string &s)
{
	if (s.empty())
		return false;
	for (unsigned char c : s)
		if (c >= 0x80 || !model_tchar(c))
			return false;
	return true;
}

Model model(const std::string &text)
{
	Model m;
	size_t pos = 0;
	kh_u32 line = 0;
	while (pos < text.size()) {
		line++;
		size_t nl = text.find('\n', pos);
		std::string l = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
		pos = nl == std::string::npos ? text.size() : nl + 1;
		if (l.find('\0') != std::string::npos || l.find('\r') != std::string::npos) {
			m.bad = line;
			return m;
		}
		std::vector<std::string> words;
		std::string w;
		for (char c : l + " ") {
			if (c == ' ' || c == '\t') {
				if (!w.empty())
					words.push_back(w);
				w.clear();
			} else {
				w += c;
			}
		}
		for (size_t i = 0; i < words.size(); i++)
			if (words[i][0] == '#')
				words.resize(i);
		if (words.empty())
			continue;
		const std::string &type = words[0];
		size_t slash = type.find('/');
		if (type.size() > 127 || slash == std::string::npos ||
		    !model_token(type.substr(0, slash)) || !model_token(type.substr(slash + 1))) {
			m.bad = line;
			return m;
		}
		for (size_t i = 1; i < words.size(); i++) {
			const std::string &e = words[i];
			if (e.size() > 31 || !model_token(e) || e[0] == '.' || ++m.words > 65536) {
				m.bad = line;
				return m;
			}
			std::string lower = e;
			for (char &c : lower)
				c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
			m.map[lower] = type;
		}
	}
	return m;
}

// Builds @text and checks the table against the model: same verdict, same
// count, every extension (in two cases) gives its last type.
void check_against_model(const std::string &text)
{
	Model m = model(text);
	ASSERT_EQ(bad_line(text), m.bad) << text;
	if (m.bad)
		return;
	Table tb = build(text);
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(tb.t), m.map.size());
	for (const auto &[ext, type] : m.map) {
		if (ext.find('.') != std::string::npos)
			continue; // never an extension of a name: lookups use the last '.'
		EXPECT_EQ(lookup(tb.t, "f." + ext), type) << ext;
		std::string upper = ext;
		for (char &c : upper)
			c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
		EXPECT_EQ(lookup(tb.t, "d.x/F." + upper), type) << ext;
	}
}

} // namespace

TEST(MimeTable, Basic)
{
	Table tb = build("# a comment\n"
			 "\n"
			 "text/html\t\thtml htm\n"
			 "   text/css   css  \n"
			 "image/png png # trailing comment png2\n"
			 "application/x-none\n"
			 "\t\n"
			 "application/json json");
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(tb.t), 5u);
	EXPECT_EQ(lookup(tb.t, "index.html"), "text/html");
	EXPECT_EQ(lookup(tb.t, "a.htm"), "text/html");
	EXPECT_EQ(lookup(tb.t, "dir/s.css"), "text/css");
	EXPECT_EQ(lookup(tb.t, "p.png"), "image/png");
	EXPECT_EQ(lookup(tb.t, "p.png2"), "");
	EXPECT_EQ(lookup(tb.t, "d.json"), "application/json");
	EXPECT_EQ(lookup(tb.t, "a.none"), "");
	EXPECT_EQ(lookup(tb.t, "a.txt"), ""); // not in this table, though built in
	EXPECT_EQ(lookup(nullptr, "a.txt"), "text/plain");
}

TEST(MimeTable, LookupRules)
{
	Table tb = build("t/a a\nt/b b\nt/gz gz\nt/tar tar\n");
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(lookup(tb.t, "x.A"), "t/a");
	EXPECT_EQ(lookup(tb.t, "x.tar.gz"), "t/gz");
	EXPECT_EQ(lookup(tb.t, "x.gz.tar"), "t/tar");
	EXPECT_EQ(lookup(tb.t, ".a"), "");
	EXPECT_EQ(lookup(tb.t, "dir/.a"), "");
	EXPECT_EQ(lookup(tb.t, ".x.a"), "t/a");
	EXPECT_EQ(lookup(tb.t, "a"), "");
	EXPECT_EQ(lookup(tb.t, "x.a/b"), "");
	EXPECT_EQ(lookup(tb.t, "x."), "");
	EXPECT_EQ(lookup(tb.t, ""), "");
	EXPECT_EQ(lookup(tb.t, "/"), "");
	EXPECT_EQ(lookup(tb.t, "x.aa"), "");
	EXPECT_EQ(khttpd_mime_table_lookup(tb.t, nullptr, 0, nullptr), 0u);
	const char *t = nullptr;
	EXPECT_EQ(khttpd_mime_table_lookup(tb.t, "x.a.b", 3, &t), 3u); // "x.a" only
	EXPECT_EQ(std::string(t, 3), "t/a");
}

TEST(MimeTable, EmptyTablesAreValid)
{
	for (const char *text : {"", "\n", "\n\n\n", "# only a comment", "  \t \n#x\n",
				 "text/plain", "text/plain\napplication/x-y # z\n"}) {
		Table tb = build(text);
		ASSERT_NE(tb.t, nullptr) << text;
		EXPECT_EQ(khttpd_mime_table_count(tb.t), 0u);
		EXPECT_EQ(lookup(tb.t, "a.txt"), "");
		EXPECT_EQ(lookup(tb.t, "a"), "");
	}
	EXPECT_GT(khttpd_mime_table_size(nullptr, 0, nullptr), 0u);
}

TEST(MimeTable, LaterLinesOverride)
{
	Table tb = build("text/a x y\n"
			 "text/b X\n"
			 "text/c z z Z\n"
			 "text/d y\n"
			 "text/e w\n"
			 "text/a x\n");
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(tb.t), 4u);
	EXPECT_EQ(lookup(tb.t, "f.x"), "text/a");
	EXPECT_EQ(lookup(tb.t, "f.y"), "text/d");
	EXPECT_EQ(lookup(tb.t, "f.z"), "text/c");
	EXPECT_EQ(lookup(tb.t, "f.w"), "text/e");
}

TEST(MimeTable, CaseFolding)
{
	Table tb = build("Text/HTML HTML Htm\nimage/PNG pNg\n");
	ASSERT_NE(tb.t, nullptr);
	// Types keep their case; extensions match in any case.
	EXPECT_EQ(lookup(tb.t, "a.html"), "Text/HTML");
	EXPECT_EQ(lookup(tb.t, "a.HtMl"), "Text/HTML");
	EXPECT_EQ(lookup(tb.t, "a.HTM"), "Text/HTML");
	EXPECT_EQ(lookup(tb.t, "a.png"), "image/PNG");
	EXPECT_EQ(lookup(tb.t, "a.PNG"), "image/PNG");
}

TEST(MimeTable, RejectsMalformedLines)
{
	const std::string ok = "text/plain txt\n";
	const std::string t127 = "a/" + std::string(125, 'b');
	const std::string e31(31, 'e');
	EXPECT_EQ(bad_line(t127 + " x"), 0u);
	EXPECT_EQ(bad_line(t127 + "b x"), 1u); // 128 bytes
	EXPECT_EQ(bad_line("a/b " + e31), 0u);
	EXPECT_EQ(bad_line("a/b " + e31 + "e"), 1u);
	struct {
		std::string line;
		const char *why;
	} cases[] = {
		{"text html", "no slash"},
		{"texthtml html", "no slash"},
		{"/html html", "empty type"},
		{"text/ html", "empty subtype"},
		{"text/html/x html", "two slashes"},
		{"text/html;charset=utf-8 html", "parameters"},
		{"text/html; html", "';'"},
		{"te(xt/html html", "not tchar"},
		{"text/h\"tml html", "quote"},
		{"text/html, html", "comma"},
		{"text/htm\x7f html", "DEL"},
		{"text/htm\xc5\x82 html", "UTF-8"},
		{"text/html\x0b html", "vertical tab"},
		{"text/html\x0cX: y html", "form feed"},
		{"text/html\x01 html", "control"},
		{"Set-Cookie: a=b", "a header"},
		{"text/html html\rSet-Cookie: a=b", "CR"},
		{"text/html\r html", "CR in the type"},
		{"text/html html\r", "CRLF line end"},
		{"# comment\r", "CR in a comment"},
		{std::string("text/html\0 html", 15), "NUL"},
		{std::string("text/html html\0", 15), "NUL after"},
		{std::string("# com\0ment", 10), "NUL in a comment"},
		{"text/html .html", "leading dot"},
		{"text/html ..", "dots"},
		{"text/html h/t", "slash"},
		{"text/html h:t", "colon"},
		{"text/html h\x7f", "DEL"},
		{"text/html \xc3\xa9", "UTF-8"},
		{"text/html h\x0b", "vertical tab"},
		{"text/html h\"", "quote"},
	};
	for (const auto &c : cases) {
		EXPECT_EQ(bad_line(c.line), 1u) << c.why;
		EXPECT_EQ(bad_line(ok + c.line), 2u) << c.why;
		EXPECT_EQ(bad_line(ok + "\n#c\n" + c.line + "\n" + ok), 4u) << c.why;
		EXPECT_EQ(bad_line(ok + c.line + "\nbad line\n"), 2u) << c.why;
	}
	// Extensions may hold any tchar but a leading '.' (Debian's own file has
	// "~" and "%"), and '#' starts a comment only at the start of a word.
	EXPECT_EQ(bad_line("application/x-trash ~ % bak"), 0u);
	EXPECT_EQ(bad_line("a/b x.y c++ a_b A-Z 7z x#y !$&'*^`|"), 0u);
	Table tb = build("a/b x#y #z\n");
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(tb.t), 1u);
	EXPECT_EQ(lookup(tb.t, "f.x#y"), "a/b");
}

TEST(MimeTable, LineNumbers)
{
	std::string text;
	for (int i = 0; i < 5000; i++)
		text += i % 3 ? "text/plain t" + std::to_string(i) + "\n" : "# comment\n";
	EXPECT_EQ(bad_line(text), 0u);
	EXPECT_EQ(bad_line(text + "bad"), 5001u);
	EXPECT_EQ(bad_line(text + "\n\nbad\n"), 5003u);
	EXPECT_EQ(bad_line(text + "a/b c\r\n"), 5001u);
	// Only the first bad line counts.
	EXPECT_EQ(bad_line("a/b c\nx\ny\n"), 2u);
}

TEST(MimeTable, EntryLimit)
{
	// 65536 extensions are fine (duplicates count), one more is not.
	std::string text;
	for (int line = 0; line < 1024; line++) {
		text += "type/t" + std::to_string(line);
		for (int i = 0; i < 64; i++)
			text += " e" + std::to_string(line * 64 + i);
		text += "\n";
	}
	Table tb = build(text);
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(tb.t), 65536u);
	for (int k = 0; k < 65536; k += 97)
		EXPECT_EQ(lookup(tb.t, "f.E" + std::to_string(k)), "type/t" + std::to_string(k / 64));
	EXPECT_EQ(lookup(tb.t, "f.e65536"), "");
	EXPECT_EQ(bad_line(text + "a/b\n"), 0u);
	EXPECT_EQ(bad_line(text + "#\na/b e0\n"), 1026u);
	std::string dup;
	for (int i = 0; i < 65536; i++)
		dup += "a/b x\n";
	Table td = build(dup);
	ASSERT_NE(td.t, nullptr);
	EXPECT_EQ(khttpd_mime_table_count(td.t), 1u);
	EXPECT_EQ(bad_line(dup + "a/c y"), 65537u);
}

TEST(MimeTable, BuildNeedsRoom)
{
	const std::string text = "text/html html htm\ntext/css css\n";
	kh_size size = khttpd_mime_table_size(text.data(), text.size(), nullptr);
	ASSERT_GT(size, 0u);
	std::vector<uint64_t> mem(size / 8 + 2);
	EXPECT_EQ(khttpd_mime_table_build(text.data(), text.size(), mem.data(), size - 1), nullptr);
	EXPECT_EQ(khttpd_mime_table_build(text.data(), text.size(), nullptr, size), nullptr);
	// Misaligned memory is refused, not used.
	EXPECT_EQ(khttpd_mime_table_build(text.data(), text.size(),
					  reinterpret_cast<char *>(mem.data()) + 1, size),
		  nullptr);
	const khttpd_mime_table *t =
		khttpd_mime_table_build(text.data(), text.size(), mem.data(), size);
	ASSERT_NE(t, nullptr);
	EXPECT_EQ(lookup(t, "a.htm"), "text/html");
	// The table lives in the block only: the text can go.
	std::string copy = text;
	Table tb = build(copy);
	copy.assign(copy.size(), 'x');
	EXPECT_EQ(lookup(tb.t, "a.css"), "text/css");
}

TEST(MimeTable, BinarySearchEdges)
{
	// Sizes 1..40, looking up every entry and every gap between them.
	std::vector<std::string> exts;
	for (int n = 1; n <= 40; n++) {
		exts.push_back(std::string(1, static_cast<char>('a' + (n - 1) % 26)) +
			       std::string(static_cast<size_t>((n - 1) / 26), 'm'));
		std::string text;
		for (size_t i = exts.size(); i-- > 0;) // reverse order: the sort is needed
			text += "t/" + exts[i] + " " + exts[i] + "\n";
		Table tb = build(text);
		ASSERT_NE(tb.t, nullptr);
		ASSERT_EQ(khttpd_mime_table_count(tb.t), exts.size());
		for (const std::string &e : exts) {
			EXPECT_EQ(lookup(tb.t, "f." + e), "t/" + e);
			EXPECT_EQ(lookup(tb.t, "f." + e + "0"), ""); // just after
			EXPECT_EQ(lookup(tb.t, "f." + e.substr(0, e.size() - 1) + "0"), "");
		}
		EXPECT_EQ(lookup(tb.t, "f.0"), "");  // before all
		EXPECT_EQ(lookup(tb.t, "f.~"), "");  // after all
		EXPECT_EQ(lookup(tb.t, "f.\xff"), ""); // a byte above ASCII
	}
	// Prefixes, and bytes between the cases ('_' sits between 'Z' and 'a').
	Table tb = build("t/1 ab\nt/2 abc\nt/3 a\nt/4 _\nt/5 Z\nt/6 ^\nt/7 ~\nt/8 `\n");
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(lookup(tb.t, "f.a"), "t/3");
	EXPECT_EQ(lookup(tb.t, "f.AB"), "t/1");
	EXPECT_EQ(lookup(tb.t, "f.abC"), "t/2");
	EXPECT_EQ(lookup(tb.t, "f.abcd"), "");
	EXPECT_EQ(lookup(tb.t, "f._"), "t/4");
	EXPECT_EQ(lookup(tb.t, "f.z"), "t/5");
	EXPECT_EQ(lookup(tb.t, "f.Z"), "t/5");
	EXPECT_EQ(lookup(tb.t, "f.^"), "t/6");
	EXPECT_EQ(lookup(tb.t, "f.~"), "t/7");
	EXPECT_EQ(lookup(tb.t, "f.`"), "t/8");
	EXPECT_EQ(lookup(tb.t, "f.@"), "");
	// An extension longer than any stored one.
	EXPECT_EQ(lookup(tb.t, "f." + std::string(40, 'a')), "");
}

TEST(MimeTable, RandomTextsMatchTheModel)
{
	// Random texts over a small alphabet, so extensions collide and lines
	// are sometimes malformed.
	std::mt19937 rng(20240611);
	const char alphabet[] = "abAB/ /\t#\n\n\n.-~x\r\"";
	for (int round = 0; round < 3000; round++) {
		std::string text;
		int n = static_cast<int>(rng() % 120);
		for (int i = 0; i < n; i++) {
			if (rng() % 4 == 0)
				text += "\ntext/t" + std::to_string(rng() % 5) + " ";
			text += alphabet[rng() % (sizeof(alphabet) - 1)];
		}
		check_against_model(text);
	}
	// And well-formed ones with many overrides.
	for (int round = 0; round < 200; round++) {
		std::string text;
		int lines = static_cast<int>(rng() % 300);
		for (int l = 0; l < lines; l++) {
			text += "type/n" + std::to_string(rng() % 50);
			int k = static_cast<int>(rng() % 6);
			for (int i = 0; i < k; i++) {
				std::string e = "e" + std::to_string(rng() % 200);
				if (rng() % 3 == 0)
					e[0] = 'E';
				text += (rng() % 2 ? " " : "\t") + e;
			}
			text += "\n";
		}
		check_against_model(text);
	}
}

TEST(MimeTable, SystemMimeTypes)
{
	// Every extension of the host's /etc/mime.types (Debian: media-types).
	std::ifstream f("/etc/mime.types", std::ios::binary);
	if (!f)
		GTEST_SKIP() << "no /etc/mime.types";
	std::stringstream ss;
	ss << f.rdbuf();
	std::string text = ss.str();
	Model m = model(text);
	ASSERT_EQ(m.bad, 0u);
	ASSERT_GT(m.map.size(), 500u);
	check_against_model(text);
	Table tb = build(text);
	ASSERT_NE(tb.t, nullptr);
	EXPECT_EQ(lookup(tb.t, "index.html"), "text/html");
	EXPECT_EQ(lookup(tb.t, "x.PNG"), "image/png");
	// The same file read by the built-in table's rules: both agree where
	// the built-in table follows Debian.
	EXPECT_EQ(lookup(tb.t, "a.woff2"), lookup(nullptr, "a.woff2"));
}

TEST(MimeTable, FakeKapi)
{
	char out[KH_MIME_TYPE_MAX];
	EXPECT_EQ(kh_mime_type("a.html", 6, out, sizeof(out)), 9u);
	EXPECT_EQ(std::string(out, 9), "text/html");
	EXPECT_EQ(kh_mime_type("a.nope", 6, out, sizeof(out)), 0u);
	EXPECT_EQ(kh_mime_type("Makefile", 8, out, sizeof(out)), 0u);
	EXPECT_EQ(kh_mime_type("a.html", 6, out, 8), 0u); // does not fit
	Table tb = build("text/x-nope nope\ntext/plain html\n");
	fake::set_mime_table(tb.t);
	EXPECT_EQ(kh_mime_type("a.NOPE", 6, out, sizeof(out)), 11u);
	EXPECT_EQ(std::string(out, 11), "text/x-nope");
	EXPECT_EQ(kh_mime_type("a.html", 6, out, sizeof(out)), 10u);
	EXPECT_EQ(std::string(out, 10), "text/plain");
	EXPECT_EQ(kh_mime_type("a.css", 5, out, sizeof(out)), 0u);
	fake::set_mime_table(nullptr);
	EXPECT_EQ(kh_mime_type("a.css", 5, out, sizeof(out)), 8u);
}
