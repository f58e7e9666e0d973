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

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// days_from_civil; any year, month 1..12, day 1..31).
constexpr kh_s64 days_from_civil(kh_s64 y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const kh_s64 era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = static_cast<unsigned>(y - era * 400);
	const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + static_cast<kh_s64>(doe) - 719468;
}

static_assert(days_from_civil(1970, 1, 1) == 0);
static_assert(days_from_civil(2000, 2, 29) == 11016);
static_assert(days_from_civil(1969, 12, 31) == -1);

constexpr bool is_leap(kh_s64 y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(kh_s64 y, unsigned m)
{
	constexpr unsigned kLen[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : kLen[m - 1];
}

constexpr char kLongDays[7][10] = {"Thursday", "Friday", "Saturday", "Sunday",
				   "Monday", "Tuesday", "Wednesday"};

// A forward-only reader over the date text.
class Cursor {
public:
	explicit Cursor(StrView s) : s_(s) {}

	bool lit(StrView l)
	{
		if (!s_.substr(pos_).starts_with(l))
			return false;
		pos_ += l.size();
		return true;
	}

	// Exactly @n digits.
	bool digits(kh_size n, unsigned &v)
	{
		if (s_.size() - pos_ < n)
			return false;
		v = 0;
		for (kh_size i = 0; i < n; i++) {
			char c = s_[pos_ + i];
			if (!is_digit(c))
				return false;
			v = v * 10 + static_cast<unsigned>(c - '0');
		}
		pos_ += n;
		return true;
	}

	// One of @n names; stores its index.
	template <kh_size N, kh_size L>
	bool name(const char (&names)[N][L], unsigned &idx)
	{
		for (unsigned i = 0; i < N; i++) {
			if (lit(StrView::from_cstr(names[i], L))) {
				idx = i;
				return true;
			}
		}
		return false;
	}

	bool done() const { return pos_ == s_.size(); }
	char peek() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }

private:
	StrView s_;
	kh_size pos_ = 0;
};

struct Parts {
	kh_s64 year;
	unsigned month; // 1..12
	unsigned day, hour, minute, second;
};

// time-of-day = hour ":" minute ":" second
bool time_of_day(Cursor &c, Parts &p)
{
	return c.digits(2, p.hour) && c.lit(":") && c.digits(2, p.minute) && c.lit(":") &&
	       c.digits(2, p.second);
}

bool month(Cursor &c, Parts &p)
{
	unsigned m;
	if (!c.name(kMonths, m))
		return false;
	p.month = m + 1;
	return true;
}

bool to_seconds(const Parts &p, kh_s64 &out)
{
	if (p.day < 1 || p.day > days_in_month(p.year, p.month) || p.hour > 23 ||
	    p.minute > 59 || p.second > 60)
		return false;
	out = days_from_civil(p.year, p.month, p.day) * 86400 + p.hour * 3600 +
	      p.minute * 60 + p.second;
	return true;
}

} // namespace

bool parse_http_date(StrView s, kh_s64 now, kh_s64 &out)
{
	Parts p{};
	unsigned v;
	{
		// IMF-fixdate: day-name "," SP day SP month SP year SP time SP "GMT"
		Cursor c(s);
		if (c.name(kDays, v) && c.lit(", ") && c.digits(2, p.day) && c.lit(" ") &&
		    month(c, p) && c.lit(" ") && c.digits(4, v) && c.lit(" ") &&
		    time_of_day(c, p) && c.lit(" GMT") && c.done()) {
			p.year = v;
			return to_seconds(p, out);
		}
	}
	{
		// RFC 850: day-name-l "," SP day "-" month "-" 2DIGIT SP time SP "GMT"
		Cursor c(s);
		if (c.name(kLongDays, v) && c.lit(", ") && c.digits(2, p.day) && c.lit("-") &&
		    month(c, p) && c.lit("-") && c.digits(2, v) && c.lit(" ") &&
		    time_of_day(c, p) && c.lit(" GMT") && c.done()) {
			// RFC 9110 section 5.6.7: more than 50 years in the future
			// means the most recent past year with those digits. So the
			// year is the one with those digits in (now - 50, now + 50].
			kh_s64 this_year = civil_from_days((now > 0 ? now : 0) / 86400).year;
			p.year = this_year - this_year % 100 + v;
			if (p.year > this_year + 50)
				p.year -= 100;
			else if (p.year <= this_year - 50)
				p.year += 100;
			return to_seconds(p, out);
		}
	}
	{
		// asctime: day-name SP month SP ( 2DIGIT / SP DIGIT ) SP time SP year
		Cursor c(s);
		if (c.name(kDays, v) && c.lit(" ") && month(c, p) && c.lit(" ") &&
		    (c.peek() == ' ' ? c.lit(" ") && c.digits(1, p.day) : c.digits(2, p.day)) &&
		    c.lit(" ") && time_of_day(c, p) && c.lit(" ") && c.digits(4, v) && c.done()) {
			p.year = v;
			return to_seconds(p, out);
		}
	}
	return false;
}

namespace {

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
