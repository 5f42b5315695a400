#pragma once

#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "reports/histogram_json.hpp"
#include "reports/json_fields.hpp"
#include "reports/result.hpp"

namespace rb {

// The result.json document of a run; docs/results.md describes every field. With
// BucketPairs::kLeftEmpty the histograms' bucket arrays stay empty.
nlohmann::json result_to_json(const RunResult& result, BucketPairs pairs = BucketPairs::kIncluded);

// Writes result.json to `out`, byte for byte what dumping result_to_json(result) with an
// indent of 2 gives. Each histogram's bucket pairs are streamed from the histogram, because
// in the JSON tree each pair cost about 100 bytes. The writer holds the non-empty buckets
// of one histogram at a time, 16 bytes each.
void write_result_json(std::ostream& out, const RunResult& result);

// Reads a result.json document; `file` names it in errors. Throws ResultFileError for a
// schema version other than kResultSchemaVersion or a missing or mistyped field.
RunResult result_from_json(const nlohmann::json& document, const std::string& file);

// Reads and parses a result file; throws ResultFileError when it cannot be read, is not
// JSON, is truncated or does not hold a result of this schema version.
RunResult load_result_file(const std::string& path);

}  // namespace rb
