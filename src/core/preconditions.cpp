// SPDX-License-Identifier: GPL-2.0
#include "preconditions.h"

#include "etag.h"
#include "http_date.h"

namespace khttpd {

Precondition evaluate_preconditions(const RequestHead &head, const Validators &v, kh_s64 now)
{
	kh_s64 date;
	if (head.has_if_match) {
		// 13.1.1: strong comparison.
		if (!etag_list_matches(head.if_match, v.etag, EtagCompare::Strong))
			return Precondition::Failed;
	} else if (head.has_if_unmodified_since) {
		// 13.1.4: false if modified after the date.
		if (parse_http_date(head.if_unmodified_since, now, date) &&
		    v.last_modified > date)
			return Precondition::Failed;
	}

	bool get_or_head = head.method == Method::Get || head.method == Method::Head;
	if (head.has_if_none_match) {
		// 13.1.2: weak comparison; a match makes the condition false.
		if (etag_list_matches(head.if_none_match, v.etag, EtagCompare::Weak))
			return get_or_head ? Precondition::NotModified : Precondition::Failed;
	} else if (get_or_head && head.has_if_modified_since) {
		// 13.1.3: false if not modified since the date.
		if (parse_http_date(head.if_modified_since, now, date) &&
		    v.last_modified <= date)
			return Precondition::NotModified;
	}
	return Precondition::Proceed;
}

bool if_range_holds(const RequestHead &head, const Validators &v, kh_s64 now)
{
	if (!head.has_if_range)
		return true;
	StrView value = head.if_range;
	// 13.1.5: an entity-tag has a DQUOTE among its first three characters.
	bool is_tag = value.substr(0, 3).find('"') != StrView::npos;
	if (is_tag) {
		EntityTag tag, cur;
		kh_size used = 0, cur_used = 0;
		return parse_entity_tag(value, tag, used) && used == value.size() &&
		       parse_entity_tag(v.etag, cur, cur_used) &&
		       etag_equal(tag, cur, EtagCompare::Strong);
	}
	kh_s64 date;
	return parse_http_date(value, now, date) && date == v.last_modified;
}

} // namespace khttpd
