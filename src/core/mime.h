// SPDX-License-Identifier: GPL-2.0
// File extension to Content-Type.
#pragma once

#include "str_view.h"

namespace khttpd {

// The Content-Type for a file name, from its extension (case-insensitive).
// Unknown or missing extensions give application/octet-stream.
StrView mime_type_for(StrView file_name);

} // namespace khttpd
