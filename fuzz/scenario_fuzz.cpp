// libFuzzer target: the scenario loader (JSON with comments, then every field check) on
// arbitrary text. Invalid input must end in a ConfigError; any other exception escapes and
// libFuzzer reports it as a crash.

#include <cstddef>
#include <cstdint>
#include <string>

#include "app/scenario.hpp"
#include "common/json_reader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const rb::JsonDocument doc = rb::JsonDocument::parse("fuzz.json", std::move(text));
    rb::Scenario scenario = rb::parse_scenario(doc);
    scenario.source = doc.root();
    (void)rb::redacted_scenario(scenario);
  } catch (const rb::ConfigError& e) {
    (void)e.what();
  }
  return 0;
}
