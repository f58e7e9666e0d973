// SPDX-License-Identifier: GPL-2.0
#include "http_date.h"

namespace khttpd {
namespace {

constexpr char kDays[7][4] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr char kMonths[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr kh_s64 kMaxSeconds = 253402300799; // 9999-12-31T23:59:59Z

struct Civil {
	kh_s64 year;
	unsigned month; // 1..12
	unsigned day;   // 1..31
};

// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
// civil_from_days, for non-negative day counts).
constexpr Civil civil_from_days(kh_s64 z)
{
	z += 719468;
	const kh_s64 era = z / 146097;
	const unsigned doe = static_cast<unsigned>(z - era * 146097);
	const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	const kh_s64 y = static_cast<kh_s64>(yoe) + era * 400;
	const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	const unsigned mp = (5 * doy + 2) / 153;
	const unsigned d = doy - (153 * mp + 2) / 5 + 1;
	const unsigned m = mp < 10 ? mp + 3 : mp - 9;
	return Civil{m <= 2 ? y + 1 : y, m, d};
}

static_assert(civil_from_days(0).year == 1970);
static_assert(civil_from_days(11016).month == 2 && civil_from_days(11016).day == 29);

void put2(char *p, unsigned v)
{
	p[0] = static_cast<char>('0' + v / 10);
	p[1] = static_cast<char>('0' + v % 10);
}

} // namespace

void format_http_date(kh_s64 t, char *out)
{
	if (t < 0)
		t = 0;
	if (t > kMaxSeconds)
		t = kMaxSeconds;
	const kh_s64 days = t / 86400;
	const unsigned secs = static_cast<unsigned>(t % 86400);
	const Civil c = civil_from_days(days);
	const char *wd = kDays[days % 7];
	const char *mon = kMonths[c.month - 1];
	const unsigned y = static_cast<unsigned>(c.year);

	out[0] = wd[0]; out[1] = wd[1]; out[2] = wd[2];
	out[3] = ','; out[4] = ' ';
	put2(out + 5, c.day);
	out[7] = ' ';
	out[8] = mon[0]; out[9] = mon[1]; out[10] = mon[2];
	out[11] = ' ';
	put2(out + 12, y / 100);
	put2(out + 14, y % 100);
	out[16] = ' ';
	put2(out + 17, secs / 3600);
	out[19] = ':';
	put2(out + 20, secs / 60 % 60);
	out[22] = ':';
	put2(out + 23, secs % 60);
	out[25] = ' '; out[26] = 'G'; out[27] = 'M'; out[28] = 'T';
}

} // namespace khttpd
