#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/json_locator.hpp"
#include "common/time.hpp"

namespace rb {

// An error in an input file, with where it is: the file, the JSON path and, when known, the
// line. what() reads "FILE:LINE: PATH: MESSAGE".
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string file, std::optional<int> line, std::string path, std::string message);

  const std::string& file() const { return file_; }
  const std::optional<int>& line() const { return line_; }
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }

 private:
  std::string file_;
  std::optional<int> line_;
  std::string path_;
  std::string message_;
};

// A parsed JSON file (comments allowed) that keeps its text so errors can name lines.
class JsonDocument {
 public:
  // Reads and parses a file; throws ConfigError when it cannot be read or is not JSON.
  static JsonDocument load_file(const std::string& file);

  // Parses text that came from `name` (a file name, or a label such as "<inline>").
  static JsonDocument parse(std::string name, std::string text);

  const std::string& name() const { return state_->name; }
  const std::string& text() const { return state_->text; }
  const nlohmann::json& root() const { return state_->root; }
  nlohmann::json& mutable_root() { return state_->root; }

 private:
  struct State {
    std::string name;
    std::string text;
    nlohmann::json root;
  };
  std::shared_ptr<State> state_;
};

// A view of one value in a JsonDocument with its path, for typed reads with precise errors.
class JsonNode {
 public:
  JsonNode(const JsonDocument& doc, const nlohmann::json& value, std::vector<JsonStep> steps);
  static JsonNode root(const JsonDocument& doc);

  const nlohmann::json& value() const { return *value_; }
  const JsonDocument& document() const { return *doc_; }
  std::string path() const;

  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  bool is_string() const { return value_->is_string(); }
  bool is_number() const { return value_->is_number(); }
  bool has(const std::string& key) const;

  // Child access; `at` throws when the key is missing, `find` returns nothing.
  JsonNode at(const std::string& key) const;
  std::optional<JsonNode> find(const std::string& key) const;
  std::vector<JsonNode> elements() const;  // array elements; throws when not an array
  std::vector<std::pair<std::string, JsonNode>> members() const;  // object members

  // Typed reads of this node's own value; each throws ConfigError naming what was expected.
  std::string as_string() const;
  double as_number() const;
  std::int64_t as_int() const;
  bool as_bool() const;
  // A duration written as a number of milliseconds or a string such as "250ms", "2s", "1m".
  Duration as_duration() const;

  // Typed reads of an optional member, with a default when it is absent.
  std::string get_string(const std::string& key, const std::string& fallback) const;
  double get_number(const std::string& key, double fallback) const;
  std::int64_t get_int(const std::string& key, std::int64_t fallback) const;
  bool get_bool(const std::string& key, bool fallback) const;
  Duration get_duration(const std::string& key, Duration fallback) const;

  // Range checks that throw with the value found.
  double get_number_in(const std::string& key, double fallback, double low, double high) const;
  std::int64_t get_int_in(const std::string& key, std::int64_t fallback, std::int64_t low,
                          std::int64_t high) const;

  // Throws when this object has a member not in `allowed`, which catches typos in keys.
  void allow_only(std::initializer_list<const char*> allowed) const;
  void allow_only(const std::vector<std::string>& allowed) const;
  void expect_object() const;

  [[noreturn]] void fail(const std::string& message) const;

 private:
  std::string describe_found() const;

  const JsonDocument* doc_;
  const nlohmann::json* value_;
  std::vector<JsonStep> steps_;
};

// Formats a path as $.a.b[2].c
std::string format_json_path(const std::vector<JsonStep>& steps);

// Parses `text` as nlohmann::json::parse does (with // and /* */ comments when `comments`),
// and sets `duplicate` to the path of the first key that appears twice in one object, or to
// nothing. Throws nlohmann's parse_error and out_of_range as parse does.
nlohmann::json parse_json_checking_keys(const std::string& text, bool comments,
                                        std::optional<std::vector<JsonStep>>& duplicate);

// Parses a duration string ("250ms", "2s", "1.5m", "100us", "1h") or throws std::invalid_argument.
Duration parse_duration_text(const std::string& text);

// Replaces ${NAME} in every string of the document with the environment variable NAME;
// "$${" stays a literal "${". Throws ConfigError naming the variable and the path when a
// variable is not set.
void expand_environment(JsonDocument& doc);

}  // namespace rb
