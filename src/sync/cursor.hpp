#pragma once
// The sync cursor as clients see it: opaque text (base64url), bound to one account and one store key. Pure, so that
// unit tests cover what a garbled, foreign or stale cursor gives.
#include "sync/model.hpp"

#include <optional>
#include <string>

namespace cordee::sync {

std::string EncodeCursor(const Cursor& c);
// Nothing when the text is not a cursor this server wrote (garbled, truncated, another version).
std::optional<Cursor> DecodeCursor(const std::string& text);

}  // namespace cordee::sync
