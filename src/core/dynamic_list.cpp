// SPDX-License-Identifier: GPL-2.0
#include "dynamic_list.h"

namespace khttpd {

bool matches_dynamic(StrView list, StrView target, StrView path)
{
	kh_size i = 0;
	while (i < list.size()) {
		while (i < list.size() && (list[i] == ' ' || list[i] == '\t'))
			i++;
		kh_size start = i;
		while (i < list.size() && list[i] != ' ' && list[i] != '\t')
			i++;
		StrView entry = list.substr(start, i - start);
		if (!entry.empty() && (target.contains(entry) || path.contains(entry)))
			return true;
	}
	return false;
}

} // namespace khttpd
