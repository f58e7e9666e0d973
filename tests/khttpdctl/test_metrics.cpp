// SPDX-License-Identifier: GPL-2.0
// The Prometheus output against the format's rules (the text exposition
// format 0.0.4, as node_exporter's textfile collector parses it), for every
// recorded tree; and the escaping of label values and HELP texts.
#include "format.h"
#include "metrics.h"
#include "snapshot.h"
#include "test_support.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace khttpdctl {
namespace {

// Checks the rules; returns the problems found, one per line ("" = valid).
std::string violations(const std::string& text)
{
	std::string bad;
	auto problem = [&](std::size_t n, const std::string& what, std::string_view line) {
		bad += "line " + std::to_string(n) + ": " + what + ": " + std::string(line) + "\n";
	};
	if (text.empty() || text.back() != '\n')
		bad += "the text must end with a newline\n";
	std::map<std::string, std::string> type_of; // family -> type
	std::set<std::string> help_seen, series_seen, closed;
	std::string current; // the family whose samples are being written
	std::size_t n = 0;
	std::string_view rest = text;
	while (!rest.empty()) {
		std::size_t nl = rest.find('\n');
		std::string_view line = rest.substr(0, nl);
		rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
		++n;
		if (line.empty()) {
			problem(n, "empty line", line);
			continue;
		}
		if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
			std::string_view body = line.substr(7);
			std::size_t sp = body.find(' ');
			std::string name(body.substr(0, sp));
			std::string_view arg = sp == std::string_view::npos ? "" : body.substr(sp + 1);
			if (!is_valid_metric_name(name))
				problem(n, "bad metric name", line);
			if (!current.empty() && current != name)
				closed.insert(current);
			if (closed.count(name))
				problem(n, "family interleaved with another", line);
			current = name;
			if (line[2] == 'H') {
				if (!help_seen.insert(name).second)
					problem(n, "second HELP", line);
				for (std::size_t i = 0; i < arg.size(); ++i)
					if (arg[i] == '\\' && (i + 1 == arg.size() ||
							       (arg[i + 1] != '\\' && arg[i + 1] != 'n')))
						problem(n, "bad escape in HELP", line);
					else if (arg[i] == '\\')
						++i;
			} else {
				if (type_of.count(name))
					problem(n, "second TYPE", line);
				if (arg != "counter" && arg != "gauge")
					problem(n, "unexpected type", line);
				if (!help_seen.count(name))
					problem(n, "TYPE without HELP first", line);
				type_of[name] = std::string(arg);
			}
			continue;
		}
		if (line[0] == '#') {
			problem(n, "unexpected comment", line);
			continue;
		}
		// A sample: name, labels, one space, value.
		std::size_t i = 0;
		while (i < line.size() && line[i] != '{' && line[i] != ' ')
			++i;
		std::string name(line.substr(0, i));
		if (!is_valid_metric_name(name))
			problem(n, "bad metric name", line);
		if (name != current || !type_of.count(name))
			problem(n, "sample outside its family or before its TYPE", line);
		const std::string& type = type_of[name];
		bool total = name.size() > 6 && name.ends_with("_total");
		if (type == "counter" && !total)
			problem(n, "counter without _total", line);
		if (type == "gauge" && total)
			problem(n, "gauge named _total", line);
		std::set<std::string> label_names;
		std::string series = name;
		if (i < line.size() && line[i] == '{') {
			++i;
			while (i < line.size() && line[i] != '}') {
				std::size_t eq = line.find('=', i);
				if (eq == std::string_view::npos) {
					problem(n, "label without =", line);
					break;
				}
				std::string lname(line.substr(i, eq - i));
				if (!is_valid_label_name(lname))
					problem(n, "bad label name", line);
				if (!label_names.insert(lname).second)
					problem(n, "repeated label", line);
				i = eq + 1;
				if (i >= line.size() || line[i] != '"') {
					problem(n, "label value not quoted", line);
					break;
				}
				std::size_t start = ++i;
				while (i < line.size() && line[i] != '"') {
					if (line[i] == '\\') {
						if (i + 1 >= line.size() ||
						    (line[i + 1] != '\\' && line[i + 1] != '"' && line[i + 1] != 'n'))
							problem(n, "bad escape in label value", line);
						++i;
					}
					++i;
				}
				series += "|" + lname + "=" + std::string(line.substr(start, i - start));
				++i; // the closing quote
				if (i < line.size() && line[i] == ',')
					++i;
			}
			++i; // '}'
		}
		if (!series_seen.insert(series).second)
			problem(n, "repeated series", line);
		if (i >= line.size() || line[i] != ' ') {
			problem(n, "no space before the value", line);
			continue;
		}
		std::string_view value = line.substr(i + 1);
		if (!parse_u64(value))
			problem(n, "value is not a non-negative integer", line);
	}
	return bad;
}

const char* kTrees[] = {"running-4-workers", "running-1-worker-no-daemon", "stopped",
			"future-and-garbage"};

TEST(Metrics, EveryRecordedTreeFollowsTheFormat)
{
	for (const char* t : kTrees) {
		LoadResult r = load_snapshot(ProcTree(test::data_dir(t) + "/proc"));
		ASSERT_TRUE(r.snapshot) << t << ": " << r.message;
		std::string text = format_metrics(&*r.snapshot);
		EXPECT_EQ(violations(text), "") << t << ":\n" << text;
	}
}

TEST(Metrics, NotLoadedIsUpZeroAlone)
{
	EXPECT_EQ(format_metrics(nullptr),
		  "# HELP khttpd_up 1 if the khttpd server is running, 0 if it is stopped or "
		  "khttpd.ko is not loaded.\n# TYPE khttpd_up gauge\nkhttpd_up 0\n");
}

TEST(Metrics, UpFollowsTheState)
{
	Snapshot s;
	s.status.state = "stopped";
	EXPECT_NE(format_metrics(&s).find("\nkhttpd_up 0\n"), std::string::npos);
	s.status.state = "running";
	EXPECT_NE(format_metrics(&s).find("\nkhttpd_up 1\n"), std::string::npos);
}

TEST(Metrics, UnknownFiguresWriteNoFamily)
{
	Snapshot s;
	s.status.state = "running";
	s.status.requests = 5;
	std::string text = format_metrics(&s);
	EXPECT_NE(text.find("\nkhttpd_requests_total 5\n"), std::string::npos);
	EXPECT_EQ(text.find("khttpd_sent_bytes_total"), std::string::npos);
	EXPECT_EQ(text.find("khttpd_responses_total"), std::string::npos);
	EXPECT_EQ(violations(text), "");
}

TEST(Metrics, TheBriefsNames)
{
	LoadResult r = load_snapshot(ProcTree(test::data_dir("running-4-workers") + "/proc"));
	ASSERT_TRUE(r.snapshot);
	std::string text = format_metrics(&*r.snapshot);
	for (const char* want : {"\nkhttpd_responses_total{code=\"2xx\"} 5000\n",
				 "\nkhttpd_handovers_total{reason=\"dynamic\"} 30\n",
				 "\nkhttpd_connections{state=\"reading\"} 3\n",
				 "\nkhttpd_worker_requests_total{worker=\"2\",cpu=\"0\"} 1428\n",
				 "\nkhttpd_up 1\n"})
		EXPECT_NE(text.find(want), std::string::npos) << want;
}

TEST(Metrics, DocumentRootLabelIsEscaped)
{
	Snapshot s;
	s.status.state = "running";
	s.document_root = std::string("/a\"b\\c\nd\xff");
	std::string text = format_metrics(&s);
	EXPECT_NE(text.find("document_root=\"/a\\\"b\\\\c\\nd\xef\xbf\xbd\""), std::string::npos)
		<< text;
	EXPECT_EQ(violations(text), "");
}

TEST(MetricsEscaping, LabelValueAndHelp)
{
	EXPECT_EQ(escape_label_value("plain"), "plain");
	EXPECT_EQ(escape_label_value("a\\b\"c\nd"), "a\\\\b\\\"c\\nd");
	EXPECT_EQ(escape_help("a\\b\"c\nd"), "a\\\\b\"c\\nd"); // quotes stay in HELP
}

TEST(MetricsNames, Charset)
{
	EXPECT_TRUE(is_valid_metric_name("khttpd_up"));
	EXPECT_TRUE(is_valid_metric_name("a:b_c9"));
	EXPECT_FALSE(is_valid_metric_name("9a"));
	EXPECT_FALSE(is_valid_metric_name("a-b"));
	EXPECT_FALSE(is_valid_metric_name(""));
	EXPECT_TRUE(is_valid_label_name("reason"));
	EXPECT_FALSE(is_valid_label_name("__name__"));
	EXPECT_FALSE(is_valid_label_name("a:b"));
}

// The validator itself must catch what it claims to.
TEST(MetricsValidator, CatchesBrokenText)
{
	EXPECT_NE(violations("# HELP a_total x\n# TYPE a_total counter\na_total 1\n"
			     "# HELP a_total x\n# TYPE a_total counter\n"),
		  "");
	EXPECT_NE(violations("# HELP a x\n# TYPE a counter\na 1\n"), "");      // no _total
	EXPECT_NE(violations("# HELP a x\n# TYPE a gauge\nb 1\n"), "");        // no family
	EXPECT_NE(violations("# HELP a x\n# TYPE a gauge\na{l=\"\\x\"} 1\n"), ""); // escape
	EXPECT_NE(violations("# HELP a x\n# TYPE a gauge\na{l=\"1\"} 1\na{l=\"1\"} 2\n"), "");
	EXPECT_NE(violations("# HELP a x\n# TYPE a gauge\na -1\n"), "");
	EXPECT_NE(violations("# HELP a-b x\n# TYPE a-b gauge\na-b 1\n"), "");
	EXPECT_NE(violations("# HELP a x\n# TYPE a gauge\n# HELP b x\n# TYPE b gauge\nb 1\n"
			     "# HELP a x\n"),
		  "");
	EXPECT_EQ(violations("# HELP a x\n# TYPE a gauge\na{l=\"\\\"\"} 1\n"), "");
}

} // namespace
} // namespace khttpdctl
