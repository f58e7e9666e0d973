// SPDX-License-Identifier: GPL-2.0
// The session end to end: precompressed variants (gzip_static) and Vary.
#include "session_fixture.h"

using namespace session_test;

namespace {

const char kPage[] = "<p>page, uncompressed</p>\n"; // 26 bytes
const char kPageGz[] = "GZ:page";
const char kPageBr[] = "BR:page!";
const char kPageZst[] = "ZSTD:page";
const std::string kAeAll = "Accept-Encoding: gzip, deflate, br, zstd\r\n";

std::string date_text(kh_s64 t)
{
	char buf[khttpd::kHttpDateLen];
	khttpd::format_http_date(t, buf);
	return std::string(buf, sizeof(buf));
}

std::string coded_tag(kh_u64 size, kh_s64 mtime, const std::string &coding)
{
	std::string t = etag(size, mtime);
	return coding.empty() ? t : t.substr(0, t.size() - 1) + "-" + coding + "\"";
}

struct Rep {
	std::string type;
	std::string coding; // "" for identity
	std::string body;
	kh_s64 mtime;
	bool vary;
};

// A 200 (or, with @range, a 206) for @r, head only when @head_only.
std::string served(const Rep &r, bool head_only = false, bool keep = true,
		   const std::string &range = "", kh_u64 first = 0, kh_u64 last = 0)
{
	bool part = !range.empty();
	std::string out = std::string(part ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n") +
			  "Server: khttpd\r\n"
			  "Date: " + kNowText + "\r\n"
			  "Connection: " + (keep ? "keep-alive" : "close") + "\r\n"
			  "Content-Type: " + r.type + "\r\n";
	if (!r.coding.empty())
		out += "Content-Encoding: " + r.coding + "\r\n";
	kh_u64 len = part ? last - first + 1 : r.body.size();
	out += "Content-Length: " + std::to_string(len) + "\r\n"
	       "Last-Modified: " + date_text(r.mtime) + "\r\n"
	       "ETag: " + coded_tag(r.body.size(), r.mtime, r.coding) + "\r\n"
	       "Accept-Ranges: bytes\r\n";
	if (r.vary)
		out += "Vary: Accept-Encoding\r\n";
	if (part)
		out += "Content-Range: " + range + "\r\n";
	out += "\r\n";
	if (!head_only)
		out += part ? r.body.substr(first, len) : r.body;
	return out;
}

std::string not_modified_rep(const Rep &r)
{
	std::string out = "HTTP/1.1 304 Not Modified\r\n"
			  "Server: khttpd\r\n"
			  "Date: " + kNowText + "\r\n"
			  "Connection: keep-alive\r\n"
			  "Last-Modified: " + date_text(r.mtime) + "\r\n"
			  "ETag: " + coded_tag(r.body.size(), r.mtime, r.coding) + "\r\n";
	if (r.vary)
		out += "Vary: Accept-Encoding\r\n";
	return out + "\r\n";
}

// error() with "Vary: Accept-Encoding" where a 412/416 for a file carries it.
std::string error_vary(int status, const std::string &content_range = "")
{
	std::string e = error(status, true, false, content_range);
	size_t at = e.find("Content-Type: text/html\r\n");
	return e.insert(at, "Vary: Accept-Encoding\r\n");
}

class VariantTest : public SessionTest {
protected:
	void SetUp() override
	{
		SessionTest::SetUp();
		kh_root *r = root_.get();
		ASSERT_TRUE(fake::root_add_text(r, "page.html", kPage, KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "page.html.gz", kPageGz, KH_S_IFREG | 0644,
						kMtime + 10));
		ASSERT_TRUE(fake::root_add_text(r, "page.html.br", kPageBr, KH_S_IFREG | 0644,
						kMtime + 20));
		br_ = r->nfiles - 1;
		ASSERT_TRUE(fake::root_add_text(r, "page.html.zst", kPageZst, KH_S_IFREG | 0644,
						kMtime)); // same second: not stale
		zst_ = r->nfiles - 1;
		// A .gz older than its original: stale.
		ASSERT_TRUE(fake::root_add_text(r, "style.css", "b{}", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "style.css.gz", "old", KH_S_IFREG | 0644,
						kMtime - 1));
		// Variants that are unreadable, not regular, or fail to open.
		ASSERT_TRUE(fake::root_add_text(r, "app.js", "js()", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "app.js.gz", "x", KH_S_IFREG | 0600, kMtime));
		ASSERT_TRUE(fake::root_add(r, "app.js.br", nullptr, 4096, KH_S_IFDIR | 0755, kMtime));
		ASSERT_TRUE(fake::root_add(r, "app.js.zst", nullptr, 0, KH_S_IFREG | 0644, kMtime,
					   -KH_EACCES));
		// A directory's index has variants too.
		ASSERT_TRUE(fake::root_add_text(r, "sub/index.html.gz", "GZ:sub", KH_S_IFREG | 0644,
						kMtime));
		// A compressed file asked for by name: never "x.gz.gz".
		ASSERT_TRUE(fake::root_add_text(r, "data.gz", "\x1f\x8b", KH_S_IFREG | 0644, kMtime));
		ASSERT_TRUE(fake::root_add_text(r, "data.gz.gz", "no", KH_S_IFREG | 0644, kMtime));
	}

	Rep page() const { return {"text/html", "", kPage, kMtime, false}; }
	Rep gz() const { return {"text/html", "gzip", kPageGz, kMtime + 10, true}; }
	Rep br() const { return {"text/html", "br", kPageBr, kMtime + 20, true}; }
	Rep zst() const { return {"text/html", "zstd", kPageZst, kMtime, true}; }

	int br_ = 0, zst_ = 0;
};

} // namespace

TEST_F(VariantTest, NoAcceptEncodingServesIdentity)
{
	EXPECT_EQ(run(get("/page.html", "")), served(page()));
	EXPECT_EQ(root_->lookups, 1);
	EXPECT_EQ(std::string(root_->last_path), "page.html");
}

TEST_F(VariantTest, GzipChosen)
{
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n")), served(gz()));
	EXPECT_EQ(root_->lookups, 2);
	EXPECT_EQ(std::string(root_->last_path), "page.html.gz");
	EXPECT_EQ(send_files_, 1);
	EXPECT_EQ(root_->opens, 2); // the original, then the variant
}

TEST_F(VariantTest, PreferenceOrder)
{
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(br()));
	EXPECT_EQ(root_->lookups, 2); // found at the first try
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip, zstd\r\n")), served(zst()));
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: *\r\n")), served(br()));
	// Weights beat the size order.
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br;q=0.5, gzip\r\n")), served(gz()));
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br;q=0, *;q=0.1\r\n")), served(zst()));
	// Identity weighed above every coding.
	Rep plain = page();
	plain.vary = true;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: identity, gzip;q=0.5\r\n")),
		  served(plain));
}

TEST_F(VariantTest, MissingVariantFallsToNext)
{
	root_->files[br_].open_err = -KH_ENOENT;
	int before = root_->lookups;
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(zst()));
	EXPECT_EQ(root_->lookups - before, 3);
	root_->files[zst_].open_err = -KH_ENOMEM;
	EXPECT_EQ(run(get("/page.html", kAeAll)), served(gz()));
}

TEST_F(VariantTest, StaleVariantIgnored)
{
	Rep css{"text/css", "", "b{}", kMtime, true};
	EXPECT_EQ(run(get("/style.css", "Accept-Encoding: gzip\r\n")), served(css));
	// Older by nanoseconds within the same second is stale too.
	root_->files[zst_].mtime_nsec = 0;
	root_->files[br_].open_err = -KH_ENOENT;
	root_->files[zst_ - 3].mtime_nsec = 1; // page.html itself
	EXPECT_EQ(std::string(root_->files[zst_ - 3].path), "page.html");
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, zstd\r\n")),
		  served({"text/html", "", kPage, kMtime, true}));
	// A newer one is fine again.
	root_->files[zst_].mtime_nsec = 1;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, zstd\r\n")), served(zst()));
}

TEST_F(VariantTest, UnusableVariantsIgnored)
{
	// .gz not world-readable, .br a directory, .zst EACCES: identity,
	// after one lookup per accepted coding and no more.
	int before = root_->lookups;
	Rep js{"application/javascript", "", "js()", kMtime, true};
	EXPECT_EQ(run(get("/app.js", kAeAll)), served(js));
	EXPECT_EQ(root_->lookups - before, 4);
	EXPECT_EQ(root_->opens, root_->closes);
	// With the permission check off, the .gz is served.
	params_.perm_required = 0;
	EXPECT_EQ(run(get("/app.js", kAeAll)),
		  served({"application/javascript", "gzip", "x", kMtime, true}));
	// perm_forbid applies to a variant as to the original.
	params_.perm_required = 0004;
	root_->files[br_].mode = KH_S_IFREG | 0755;
	params_.perm_forbid = 0111;
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: br, gzip\r\n")), served(gz()));
}

TEST_F(VariantTest, Head)
{
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n", "HEAD")),
		  served(gz(), true));
	EXPECT_EQ(send_files_, 0);
}

TEST_F(VariantTest, ConditionalsUseVariantValidators)
{
	std::string gz_tag = coded_tag(sizeof(kPageGz) - 1, kMtime + 10, "gzip");
	std::string id_tag = etag(sizeof(kPage) - 1);
	std::string ae = "Accept-Encoding: gzip\r\n";
	EXPECT_NE(gz_tag, id_tag);
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + gz_tag + "\r\n")),
		  not_modified_rep(gz()));
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + gz_tag + "\r\n", "HEAD")),
		  not_modified_rep(gz()));
	EXPECT_EQ(send_files_, 0);
	// The identity tag does not match the variant, nor the reverse.
	EXPECT_EQ(run(get("/page.html", ae + "If-None-Match: " + id_tag + "\r\n")), served(gz()));
	EXPECT_EQ(run(get("/page.html", "If-None-Match: " + gz_tag + "\r\n")), served(page()));
	EXPECT_EQ(run(get("/page.html", "If-None-Match: " + id_tag + "\r\n")),
		  not_modified_rep(page()));
	// Last-Modified is the variant's.
	EXPECT_EQ(run(get("/page.html", ae + "If-Modified-Since: " + date_text(kMtime + 10) + "\r\n")),
		  not_modified_rep(gz()));
	EXPECT_EQ(run(get("/page.html", ae + "If-Modified-Since: " + date_text(kMtime + 9) + "\r\n")),
		  served(gz()));
	// If-Match against the variant's tag: 412 carries Vary.
	EXPECT_EQ(run(get("/page.html", ae + "If-Match: " + id_tag + "\r\n")), error_vary(412));
	EXPECT_EQ(run(get("/page.html", ae + "If-Match: " + gz_tag + "\r\n")), served(gz()));
}

TEST_F(VariantTest, RangeOnVariant)
{
	std::string ae = "Accept-Encoding: gzip\r\n";
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=3-6\r\n")),
		  served(gz(), false, true, "bytes 3-6/7", 3, 6));
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=-2\r\n")),
		  served(gz(), false, true, "bytes 5-6/7", 5, 6));
	// Satisfiable for the original's 26 bytes, not for the variant's 7.
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=10-\r\n")),
		  error_vary(416, "bytes */7"));
	// If-Range with the identity tag: the variant is served whole.
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=3-6\r\nIf-Range: " +
				   etag(sizeof(kPage) - 1) + "\r\n")),
		  served(gz()));
	std::string gz_tag = coded_tag(sizeof(kPageGz) - 1, kMtime + 10, "gzip");
	EXPECT_EQ(run(get("/page.html", ae + "Range: bytes=0-0\r\nIf-Range: " + gz_tag + "\r\n")),
		  served(gz(), false, true, "bytes 0-0/7", 0, 0));
}

TEST_F(VariantTest, DirectoryIndexVariant)
{
	Rep sub{"text/html", "gzip", "GZ:sub", kMtime, true};
	EXPECT_EQ(run(get("/sub/", kAeAll)), served(sub));
	EXPECT_EQ(std::string(root_->last_path), "sub/index.html.gz");
	// The root's index has none: identity, with Vary.
	EXPECT_EQ(run(get("/", kAeAll)),
		  served({"text/html", "", kIndex, kMtime, true}));
}

TEST_F(VariantTest, VaryRules)
{
	// Accept-Encoding that accepts none of br/zstd/gzip: no lookup, no Vary.
	for (const char *ae : {"identity", "", "gzip;q=0", "deflate", "*;q=0", "gzip;q=5"}) {
		int before = root_->lookups;
		EXPECT_EQ(run(get("/page.html", std::string("Accept-Encoding: ") + ae + "\r\n")),
			  served(page()))
			<< ae;
		EXPECT_EQ(root_->lookups - before, 1) << ae;
	}
	// A file without variants, for a client that takes gzip: Vary.
	EXPECT_EQ(run(get("/hello.txt", "Accept-Encoding: gzip\r\n")),
		  served({"text/plain", "", kHello, kMtime, true}));
	// A compressed file by name: served as it is, no lookup, no Vary.
	int before = root_->lookups;
	EXPECT_EQ(run(get("/data.gz", kAeAll)),
		  served({"application/gzip", "", "\x1f\x8b", kMtime, false}));
	EXPECT_EQ(root_->lookups - before, 1);
	// Errors and redirects: no Vary.
	EXPECT_EQ(run(get("/nope.html", kAeAll)), error(404, true));
	EXPECT_EQ(run(get("/secret.txt", kAeAll)), error(403, true));
	EXPECT_EQ(run(get("/sub", kAeAll)), redirect("/sub/", true));
	// Vary does not leak into the next request on the connection.
	EXPECT_EQ(run(get("/page.html", "Accept-Encoding: gzip\r\n") + get("/page.html", "") +
		      get("/nope", "")),
		  served(gz()) + served(page()) + error(404, true));
}

TEST_F(VariantTest, SplitAtEveryByte)
{
	std::string in = get("/page.html", kAeAll) + get("/page.html", "Range: bytes=1-2\r\n"
							 "Accept-Encoding: gzip;q=0.9, br;q=0.1\r\n") +
			 get("/page.html", "Connection: close\r\n");
	std::string want = served(br()) + served(gz(), false, true, "bytes 1-2/7", 1, 2) +
			   served(page(), false, false);
	ASSERT_EQ(run(in), want);
	for (kh_size chunk = 1; chunk <= 40; chunk++)
		EXPECT_EQ(run(in, chunk), want) << "chunk " << chunk;
}

// --- non-blocking sends ------------------------------------------------------
