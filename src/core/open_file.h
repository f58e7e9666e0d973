// SPDX-License-Identifier: GPL-2.0
// An open file owned by one place at a time: closed when its owner goes.
#pragma once

#include "khttpd/kapi.h"

namespace khttpd {

class OpenFile {
public:
	OpenFile() = default;
	explicit OpenFile(kh_file *f) : file_(f) {}
	OpenFile(const OpenFile &) = delete;
	OpenFile &operator=(const OpenFile &) = delete;
	OpenFile(OpenFile &&o) : file_(o.release()) {}
	OpenFile &operator=(OpenFile &&o)
	{
		if (this != &o)
			reset(o.release());
		return *this;
	}
	~OpenFile() { reset(nullptr); }

	// For kh_file_open(): the slot it fills (only while empty).
	kh_file **out() { return &file_; }
	// Closes the file held, if any, and takes @f instead.
	void reset(kh_file *f)
	{
		if (file_)
			kh_file_close(file_);
		file_ = f;
	}
	kh_file *get() const { return file_; }
	explicit operator bool() const { return file_ != nullptr; }
	kh_file *release()
	{
		kh_file *f = file_;
		file_ = nullptr;
		return f;
	}

private:
	kh_file *file_ = nullptr;
};

} // namespace khttpd
