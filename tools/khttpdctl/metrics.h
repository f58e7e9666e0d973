// SPDX-License-Identifier: GPL-2.0
// The Prometheus text exposition format (version 0.0.4), as node_exporter's
// textfile collector reads it: a `# HELP` and a `# TYPE` line per family,
// then its samples, families never interleaved.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace khttpdctl {

using Labels = std::vector<std::pair<std::string_view, std::string>>;

// Writes families in order; a family whose samples are all unknown writes
// nothing, not even its header.
class Exposition {
public:
	void family(std::string_view name, std::string_view type, std::string_view help);
	void sample(const Labels& labels, std::uint64_t value);
	void sample(std::uint64_t value) { sample({}, value); }
	const std::string& str() const { return out_; }

private:
	std::string out_;
	std::string name_, type_, help_;
	bool header_written_ = true;
};

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool is_valid_metric_name(std::string_view name);
// [a-zA-Z_][a-zA-Z0-9_]*, not starting with "__" (reserved).
bool is_valid_label_name(std::string_view name);
// A label value between the quotes: \ " and newline escaped, UTF-8 made valid.
std::string escape_label_value(std::string_view v);
// A HELP text: \ and newline escaped.
std::string escape_help(std::string_view v);

} // namespace khttpdctl
