// SPDX-License-Identifier: GPL-2.0
#include <gtest/gtest.h>

#include <string>

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
