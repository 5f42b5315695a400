#pragma once

#include <string>
#include <string_view>

namespace rb {

// `text` with every control byte (below 0x20, and 0x7f) written as \xHH, so a name taken from
// a file or a flag can go into an error message without ending the line or cutting it off.
std::string printable(std::string_view text);

}  // namespace rb
