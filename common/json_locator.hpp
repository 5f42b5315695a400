#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace rb {

// One step of a path into a JSON document: an object key or an array index.
using JsonStep = std::variant<std::string, std::size_t>;

// Finds the 1-based line on which the value at `path` starts in `text`, a JSON document that
// may hold // and /* */ comments. Returns nothing when the text does not reach that value.
std::optional<int> locate_json_line(std::string_view text, const std::vector<JsonStep>& path);

// Returns the 1-based line of a byte offset in `text`.
int line_of_offset(std::string_view text, std::size_t offset);

}  // namespace rb
