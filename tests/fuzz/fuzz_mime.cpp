// SPDX-License-Identifier: GPL-2.0
// libFuzzer target for the mime.types parser and table builder
// (src/core/mime_table.cpp). Build and run: tests/fuzz/run.sh.
//
// Input: the text of a mime.types file. Checked against a plain model of
// the format written separately here: the same verdict and bad line, a
// table in exactly the memory it asked for (ASan sees any byte beyond),
// and for every word of the input, looked up as an extension in two cases,
// the type the model's last matching line gives. Every type returned is
// token "/" token: nothing can reach a response header but such types.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "khttpd/mime_table.h"
#include "mime.h"

namespace {

constexpr size_t kMaxInput = 1 << 16;

[[noreturn]] void fail(const char *what)
{
	fprintf(stderr, "fuzz invariant broken: %s\n", what);
	abort();
}

#define CHECK(cond)                      \
	do {                             \
		if (!(cond))             \
			fail(#cond);     \
	} while (0)

// --- the model -------------------------------------------------------------

struct Span {
	const char *p;
	size_t n;
};

struct Pair {
	Span ext;
	Span type;
};

Pair g_pairs[kMaxInput];
size_t g_npairs;
Span g_words[kMaxInput];
size_t g_nwords;
char g_name[kMaxInput + 8];

bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

bool token(const char *p, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!tchar(static_cast<unsigned char>(p[i])))
			return false;
	return true;
}

char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

bool same_icase(Span a, Span b)
{
	if (a.n != b.n)
		return false;
	for (size_t i = 0; i < a.n; i++)
		if (lower(a.p[i]) != lower(b.p[i]))
			return false;
	return true;
}

// Parses @text into g_pairs / g_words; returns the first bad line or 0.
uint32_t model(const char *text, size_t len)
{
	g_npairs = g_nwords = 0;
	uint32_t line = 0;
	size_t pos = 0;
	while (pos < len) {
		line++;
		const char *nl = static_cast<const char *>(memchr(text + pos, '\n', len - pos));
		size_t end = nl ? static_cast<size_t>(nl - text) : len;
		if (memchr(text + pos, '\0', end - pos) || memchr(text + pos, '\r', end - pos))
			return line;
		Span type{nullptr, 0};
		bool comment = false;
		for (size_t i = pos; i < end;) {
			if (text[i] == ' ' || text[i] == '\t') {
				i++;
				continue;
			}
			size_t w = i;
			while (i < end && text[i] != ' ' && text[i] != '\t')
				i++;
			Span word{text + w, i - w};
			g_words[g_nwords++] = word;
			if (comment || word.p[0] == '#') {
				comment = true;
				continue;
			}
			if (!type.p) {
				const char *slash = static_cast<const char *>(memchr(word.p, '/', word.n));
				if (word.n > 127 || !slash || !token(word.p, slash - word.p) ||
				    !token(slash + 1, word.p + word.n - slash - 1))
					return line;
				type = word;
				continue;
			}
			if (word.n > 31 || !token(word.p, word.n) || word.p[0] == '.' ||
			    g_npairs == 65536)
				return line;
			g_pairs[g_npairs++] = Pair{word, type};
		}
		pos = end + 1;
	}
	return 0;
}

// The model's answer for a file name: "" (n = 0) if none.
Span model_lookup(const char *name, size_t n)
{
	size_t base = n;
	while (base > 0 && name[base - 1] != '/')
		base--;
	size_t dot = n;
	while (dot > base && name[dot - 1] != '.')
		dot--;
	if (dot <= base + 1) // no '.', or only the leading one of a dotfile
		return Span{nullptr, 0};
	Span ext{name + dot, n - dot};
	for (size_t i = g_npairs; i > 0; i--)
		if (same_icase(g_pairs[i - 1].ext, ext))
			return g_pairs[i - 1].type;
	return Span{nullptr, 0};
}

// Looks @name up in @t and in the model; they must agree.
void check_name(const khttpd_mime_table *t, const char *name, size_t n)
{
	const char *type = nullptr;
	size_t got = khttpd_mime_table_lookup(t, name, n, &type);
	Span want = model_lookup(name, n);
	CHECK(got == want.n);
	if (!got)
		return;
	CHECK(memcmp(type, want.p, got) == 0);
	CHECK(khttpd::mime_valid_type(khttpd::StrView(type, got)));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > kMaxInput)
		return 0;
	const char *text = reinterpret_cast<const char *>(data);
	uint32_t line = 0xdeadbeef;
	size_t need = khttpd_mime_table_size(text, size, &line);
	uint32_t bad = model(text, size);
	CHECK(line == bad);
	CHECK((need == 0) == (bad != 0));
	if (!need) {
		uint64_t mem[64];
		CHECK(!khttpd_mime_table_build(text, size, mem, sizeof(mem)));
		return 0;
	}

	void *mem = malloc(need);
	CHECK(mem);
	CHECK(!khttpd_mime_table_build(text, size, mem, need - 1));
	const khttpd_mime_table *t = khttpd_mime_table_build(text, size, mem, need);
	CHECK(t == mem);

	// Distinct extensions: pairs with no later pair of the same extension.
	uint32_t distinct = 0;
	for (size_t i = 0; i < g_npairs; i++) {
		bool last = true;
		for (size_t j = i + 1; j < g_npairs && last; j++)
			last = !same_icase(g_pairs[i].ext, g_pairs[j].ext);
		distinct += last;
	}
	CHECK(khttpd_mime_table_count(t) == distinct);

	// Every word of the input as an extension, as given and upper-cased,
	// and the words themselves as file names.
	for (size_t w = 0; w < g_nwords; w++) {
		Span word = g_words[w];
		memcpy(g_name, "d/n.", 4);
		memcpy(g_name + 4, word.p, word.n);
		check_name(t, g_name, word.n + 4);
		for (size_t i = 0; i < word.n; i++)
			if (g_name[4 + i] >= 'a' && g_name[4 + i] <= 'z')
				g_name[4 + i] = static_cast<char>(g_name[4 + i] - 32);
		check_name(t, g_name, word.n + 4);
		check_name(t, word.p, word.n);
	}
	free(mem);
	return 0;
}
