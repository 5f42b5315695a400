#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reports/json_fields.hpp"
#include "reports/result.hpp"

namespace rb {

// The result.json document of a run; docs/results.md describes every field.
nlohmann::json result_to_json(const RunResult& result);

// Reads a result.json document; `file` names it in errors. Throws ResultFileError for a
// schema version other than kResultSchemaVersion or a missing or mistyped field.
RunResult result_from_json(const nlohmann::json& document, const std::string& file);

// Reads and parses a result file; throws ResultFileError when it cannot be read, is not
// JSON, is truncated or does not hold a result of this schema version.
RunResult load_result_file(const std::string& path);

}  // namespace rb
