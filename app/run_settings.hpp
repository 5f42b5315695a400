#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/pacer.hpp"

namespace rb {

// What the command line asks of `run`, beyond the scenario itself.
struct RunSettings {
  std::string scenario_file;            // "" in one-line mode
  std::string out_dir;                  // where report files go
  std::string mode = "live";            // "live" or "sim"
  std::vector<std::string> strategies;  // run only these (names or presets); empty: all
  std::optional<double> duration_s;     // overrides the load phase length
  std::optional<double> rate;           // overrides the open-loop rate
  std::optional<std::uint64_t> seed;    // overrides the scenario's seed
  std::string seed_text;                // --seed as given
  bool seed_given = false;              // --seed was on the command line, even as ""
  ShardSpec shard;                      // this process's share of the load
  std::optional<double> start_at_unix;  // wall-clock start of the first strategy, seconds
  std::string shard_text;               // --shard as given
  std::string start_at_text;            // --start-at as given
  bool start_at_given = false;          // --start-at was on the command line, even as ""
  bool insecure = false;                // skip TLS verification
  bool progress = true;                 // print progress while running
  bool color = true;                    // color in the terminal table
  const std::atomic<bool>* stop_requested = nullptr;  // set by SIGINT or SIGTERM

  // One-line mode, without a scenario file.
  std::string url;
  std::optional<std::int64_t> connections;
  std::string method = "GET";
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // TEXT or @FILE
};

}  // namespace rb
