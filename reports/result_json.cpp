#include "reports/result_json.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "common/json_reader.hpp"
#include "reports/metrics_json.hpp"

namespace rb {

namespace {

nlohmann::json thresholds_json(const std::vector<ThresholdResult>& thresholds) {
  nlohmann::json out = nlohmann::json::array();
  for (const ThresholdResult& t : thresholds) {
    out.push_back({{"strategy", t.strategy},
                   {"expression", t.expression},
                   {"metric", t.metric},
                   {"actual", t.actual},
                   {"limit", t.limit},
                   {"passed", t.passed}});
  }
  return out;
}

nlohmann::json strategy_json(const StrategyResult& strategy,
                             const std::vector<std::string>& endpoints, BucketPairs pairs) {
  nlohmann::json out = {{"name", strategy.name},
                        {"description", strategy.description},
                        {"config", strategy.config},
                        {"load_seconds", strategy.load_seconds},
                        {"drain_seconds", strategy.drain_seconds}};
  metrics_to_json(strategy.metrics, endpoints, out, pairs);
  out["upstreams"] = strategy.upstreams;
  return out;
}

void check_schema_version(const FieldReader& top) {
  if (!top.value().contains("schema_version")) {
    top.fail("schema_version", "missing field; this is not a retrybench result file");
  }
  const std::int64_t version = top.integer("schema_version");
  if (version != kResultSchemaVersion) {
    top.fail("schema_version", "version " + std::to_string(version) +
                                   " is not supported; this retrybench reads version " +
                                   std::to_string(kResultSchemaVersion) +
                                   ". Use the retrybench release that wrote the file");
  }
}

StrategyResult strategy_from_json(const FieldReader& fields, std::size_t endpoint_count) {
  StrategyResult strategy;
  strategy.name = fields.string("name");
  strategy.description = fields.string("description");
  strategy.config = fields.raw("config");
  strategy.load_seconds = fields.number("load_seconds");
  strategy.drain_seconds = fields.number("drain_seconds");
  strategy.metrics = metrics_from_json(fields, endpoint_count);
  strategy.upstreams = fields.raw("upstreams");
  return strategy;
}

ThresholdResult threshold_from_json(const FieldReader& fields) {
  ThresholdResult t;
  t.strategy = fields.string("strategy");
  t.expression = fields.string("expression");
  t.metric = fields.string("metric");
  t.actual = fields.number("actual");
  t.limit = fields.number("limit");
  t.passed = fields.boolean("passed");
  return t;
}

}  // namespace

nlohmann::json result_to_json(const RunResult& result, BucketPairs pairs) {
  nlohmann::json strategies = nlohmann::json::array();
  for (const StrategyResult& strategy : result.strategies) {
    strategies.push_back(strategy_json(strategy, result.endpoints, pairs));
  }
  return {{"schema_version", result.schema_version},
          {"version", result.version},
          {"scenario_name", result.scenario_name},
          {"scenario_file", result.scenario_file},
          {"mode", result.mode},
          {"seed", result.seed},
          {"duration_s", result.duration_s},
          {"partial", result.partial},
          {"started_at", result.started_at},
          {"wall_seconds", result.wall_seconds},
          {"host", result.host},
          {"endpoints", result.endpoints},
          {"shard", {{"index", result.shard_index}, {"count", result.shard_count}}},
          {"merged_shards", result.merged_shards},
          {"scenario", result.scenario},
          {"thresholds", thresholds_json(result.thresholds)},
          {"strategies", std::move(strategies)}};
}

RunResult result_from_json(const nlohmann::json& document, const std::string& file) {
  const FieldReader top(document, file, "");
  check_schema_version(top);

  RunResult result;
  result.schema_version = kResultSchemaVersion;
  result.version = top.string("version");
  result.scenario_name = top.string("scenario_name");
  result.scenario_file = top.string("scenario_file");
  result.mode = top.string("mode");
  result.seed = top.count("seed");
  result.duration_s = top.number("duration_s");
  result.partial = top.boolean("partial");
  result.started_at = top.string("started_at");
  result.wall_seconds = top.number("wall_seconds");
  result.host = top.string("host");
  for (const nlohmann::json& name : top.array("endpoints")) {
    if (!name.is_string()) {
      top.fail("endpoints", "expected an array of strings, found " + name.dump());
    }
    result.endpoints.push_back(name.get<std::string>());
  }
  result.scenario = top.raw("scenario");
  // Written since shard support; results without it come from one unsharded process.
  if (document.contains("shard") && document["shard"].is_object()) {
    const FieldReader shard = top.object("shard");
    result.shard_index = shard.integer("index");
    result.shard_count = shard.integer("count");
    // The same bounds as --shard, so a hostile count cannot make merge list billions of
    // missing shards.
    if (result.shard_count < 1 || result.shard_count > 100000) {
      shard.fail("count", "expected 1 to 100000, found " + std::to_string(result.shard_count));
    }
    if (result.shard_index < 0 || result.shard_index >= result.shard_count) {
      shard.fail("index", "expected 0 to count - 1, found " + std::to_string(result.shard_index));
    }
  }
  if (document.contains("merged_shards")) {
    for (const nlohmann::json& index : top.array("merged_shards")) {
      if (!index.is_number_integer()) {
        top.fail("merged_shards", "expected an array of integers, found " + index.dump());
      }
      result.merged_shards.push_back(index.get<std::int64_t>());
    }
  }

  const std::size_t threshold_count = top.array("thresholds").size();
  for (std::size_t i = 0; i < threshold_count; ++i) {
    result.thresholds.push_back(threshold_from_json(top.element("thresholds", i)));
  }
  const std::size_t strategy_count = top.array("strategies").size();
  for (std::size_t i = 0; i < strategy_count; ++i) {
    result.strategies.push_back(
        strategy_from_json(top.element("strategies", i), result.endpoints.size()));
  }
  return result;
}

RunResult load_result_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw ResultFileError(path, std::string("cannot open: ") + std::strerror(errno));
  }
  std::ostringstream text;
  text << in.rdbuf();
  const std::string content = text.str();
  if (content.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ResultFileError(path, "the file is empty; expected a result.json document");
  }

  nlohmann::json document;
  std::optional<std::vector<JsonStep>> duplicate;
  try {
    document = parse_json_checking_keys(content, /*comments=*/false, duplicate);
  } catch (const nlohmann::json::parse_error& e) {
    if (e.byte >= content.size()) {
      throw ResultFileError(path, "truncated: the JSON ends early at byte " +
                                      std::to_string(content.size()) +
                                      "; the run that wrote it may have been cut off");
    }
    throw ResultFileError(path, "not valid JSON at byte " + std::to_string(e.byte) +
                                    "; expected a result.json document");
  } catch (const nlohmann::json::out_of_range&) {
    throw ResultFileError(path, "contains a number beyond the range of a double");
  }
  if (duplicate) {
    // retrybench never writes one; a hand-edited file with two "partial" keys must not be
    // read as whichever came last.
    throw ResultFileError(path, format_json_path(*duplicate) +
                                    ": the key appears twice in one "
                                    "object");
  }
  return result_from_json(document, path);
}

}  // namespace rb
