#include "common/json_reader.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "common/printable.hpp"

namespace rb {

using nlohmann::json;

ConfigError::ConfigError(std::string file, std::optional<int> line, std::string path,
                         std::string message)
    : std::runtime_error(fmt::format("{}{}: {}{}", file, line ? fmt::format(":{}", *line) : "",
                                     path.empty() ? "" : path + ": ", message)),
      file_(std::move(file)),
      line_(line),
      path_(std::move(path)),
      message_(std::move(message)) {}

std::string format_json_path(const std::vector<JsonStep>& steps) {
  std::string out = "$";
  for (const auto& step : steps) {
    if (const auto* key = std::get_if<std::string>(&step)) {
      out += key->empty() ? std::string("[\"\"]") : "." + printable(*key);
    } else {
      out += fmt::format("[{}]", std::get<std::size_t>(step));
    }
  }
  return out;
}

JsonDocument JsonDocument::load_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw ConfigError(file, std::nullopt, "", "cannot open file: " + std::string(strerror(errno)));
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return parse(file, buffer.str());
}

namespace {

// nlohmann's parser recurses once per nesting level, so a hostile file nested a few hundred
// thousand levels deep would overflow the stack. No scenario or profile needs this many.
constexpr int kMaxJsonDepth = 256;

// Returns the byte offset at which nesting passes kMaxJsonDepth, or npos.
std::size_t find_excess_depth(const std::string& text) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth) {
        return i;
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string::npos;
}

// Watches nlohmann's parse events for a key that appears twice in one object. nlohmann
// keeps the last value and drops the first without a word, so a scenario that sets "rate"
// twice would run with whichever came last. A file like that is almost always a mistake.
class DuplicateKeyCheck {
 public:
  // The path of the first duplicated key, once seen.
  const std::optional<std::vector<JsonStep>>& duplicate() const { return duplicate_; }

  bool on_event(json::parse_event_t event, const json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        frames_.push_back(Frame{true, {}, {}, 0});
        break;
      case json::parse_event_t::array_start:
        frames_.push_back(Frame{false, {}, {}, 0});
        break;
      case json::parse_event_t::key:
        on_key(parsed.get<std::string>());
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        element_done();
        break;
      case json::parse_event_t::value:
        element_done();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool object;
    std::set<std::string> keys;
    std::string key;    // object: the member being parsed
    std::size_t index;  // array: the element being parsed
  };

  void on_key(std::string key) {
    Frame& frame = frames_.back();
    if (!frame.keys.insert(key).second && !duplicate_) {
      std::vector<JsonStep> path;
      for (std::size_t i = 0; i + 1 < frames_.size(); ++i) {
        path.push_back(frames_[i].object ? JsonStep(frames_[i].key) : JsonStep(frames_[i].index));
      }
      path.emplace_back(key);
      duplicate_ = std::move(path);
    }
    frame.key = std::move(key);
  }

  void element_done() {
    if (!frames_.empty() && !frames_.back().object) {
      ++frames_.back().index;
    }
  }

  std::vector<Frame> frames_;
  std::optional<std::vector<JsonStep>> duplicate_;
};

}  // namespace

json parse_json_checking_keys(const std::string& text, bool comments,
                              std::optional<std::vector<JsonStep>>& duplicate) {
  DuplicateKeyCheck check;
  json root = json::parse(
      text,
      [&check](int, json::parse_event_t event, json& parsed) {
        return check.on_event(event, parsed);
      },
      true, comments);
  duplicate = check.duplicate();
  return root;
}

JsonDocument JsonDocument::parse(std::string name, std::string text) {
  if (const std::size_t at = find_excess_depth(text); at != std::string::npos) {
    throw ConfigError(name, line_of_offset(text, at), "",
                      fmt::format("invalid JSON: nested deeper than {} levels", kMaxJsonDepth));
  }
  JsonDocument doc;
  doc.state_ = std::make_shared<State>();
  doc.state_->name = std::move(name);
  doc.state_->text = std::move(text);
  std::optional<std::vector<JsonStep>> duplicate;
  try {
    doc.state_->root = parse_json_checking_keys(doc.state_->text, /*comments=*/true, duplicate);
  } catch (const json::parse_error& e) {
    const int line = line_of_offset(doc.state_->text, e.byte == 0 ? 0 : e.byte - 1);
    std::string reason = e.what();
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at line..."
    if (auto colon = reason.find("parse error"); colon != std::string::npos) {
      reason = reason.substr(colon);
    }
    throw ConfigError(doc.state_->name, line, "", "invalid JSON: " + reason);
  } catch (const json::out_of_range& e) {
    // A number beyond the range of double, such as 1e999 (nlohmann error 406); it names
    // the number but not its position.
    std::string reason = e.what();
    if (auto bracket = reason.find("] "); bracket != std::string::npos) {
      reason = reason.substr(bracket + 2);
    }
    throw ConfigError(doc.state_->name, std::nullopt, "", "invalid JSON: " + reason);
  }
  if (const auto& path = duplicate) {
    const std::string& key = std::get<std::string>(path->back());
    throw ConfigError(
        doc.state_->name, locate_json_line(doc.state_->text, *path), format_json_path(*path),
        fmt::format("duplicate key \"{}\": each key may appear once per object", key));
  }
  return doc;
}

JsonNode::JsonNode(const JsonDocument& doc, const json& value, std::vector<JsonStep> steps)
    : doc_(&doc), value_(&value), steps_(std::move(steps)) {}

JsonNode JsonNode::root(const JsonDocument& doc) {
  return JsonNode(doc, doc.root(), {});
}

std::string JsonNode::path() const {
  return format_json_path(steps_);
}

void JsonNode::fail(const std::string& message) const {
  throw ConfigError(doc_->name(), locate_json_line(doc_->text(), steps_), path(), message);
}

std::string JsonNode::describe_found() const {
  std::string text = value_->dump();
  if (text.size() > 60) {
    text = text.substr(0, 57) + "...";
  }
  return fmt::format("{} {}", value_->type_name(), text);
}

void JsonNode::expect_object() const {
  if (!value_->is_object()) {
    fail(fmt::format("expected an object, found {}", describe_found()));
  }
}

bool JsonNode::has(const std::string& key) const {
  return value_->is_object() && value_->contains(key);
}

JsonNode JsonNode::at(const std::string& key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end()) {
    fail(fmt::format("missing required field \"{}\"", key));
  }
  auto steps = steps_;
  steps.emplace_back(key);
  return JsonNode(*doc_, *it, std::move(steps));
}

std::optional<JsonNode> JsonNode::find(const std::string& key) const {
  expect_object();
  auto it = value_->find(key);
  if (it == value_->end() || it->is_null()) {
    return std::nullopt;
  }
  auto steps = steps_;
  steps.emplace_back(key);
  return JsonNode(*doc_, *it, std::move(steps));
}

std::vector<JsonNode> JsonNode::elements() const {
  if (!value_->is_array()) {
    fail(fmt::format("expected an array, found {}", describe_found()));
  }
  std::vector<JsonNode> out;
  out.reserve(value_->size());
  for (std::size_t i = 0; i < value_->size(); ++i) {
    auto steps = steps_;
    steps.emplace_back(i);
    out.emplace_back(*doc_, (*value_)[i], std::move(steps));
  }
  return out;
}

std::vector<std::pair<std::string, JsonNode>> JsonNode::members() const {
  expect_object();
  std::vector<std::pair<std::string, JsonNode>> out;
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    auto steps = steps_;
    steps.emplace_back(it.key());
    out.emplace_back(it.key(), JsonNode(*doc_, it.value(), std::move(steps)));
  }
  return out;
}

std::string JsonNode::as_string() const {
  if (!value_->is_string()) {
    fail(fmt::format("expected a string, found {}", describe_found()));
  }
  return value_->get<std::string>();
}

double JsonNode::as_number() const {
  if (!value_->is_number()) {
    fail(fmt::format("expected a number, found {}", describe_found()));
  }
  const double v = value_->get<double>();
  if (!std::isfinite(v)) {
    fail(fmt::format("expected a finite number, found {}", describe_found()));
  }
  return v;
}

std::int64_t JsonNode::as_int() const {
  if (value_->is_number_integer()) {
    return value_->get<std::int64_t>();
  }
  if (value_->is_number_float()) {
    const double v = value_->get<double>();
    if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 9e15) {
      return static_cast<std::int64_t>(v);
    }
  }
  fail(fmt::format("expected an integer, found {}", describe_found()));
}

bool JsonNode::as_bool() const {
  if (!value_->is_boolean()) {
    fail(fmt::format("expected true or false, found {}", describe_found()));
  }
  return value_->get<bool>();
}

Duration parse_duration_text(const std::string& text) {
  std::size_t used = 0;
  const double amount = std::stod(text, &used);
  std::string unit = text.substr(used);
  while (!unit.empty() && unit.front() == ' ') {
    unit.erase(0, 1);
  }
  double scale_ns = 0;
  if (unit == "ns") {
    scale_ns = 1;
  } else if (unit == "us" || unit == "µs") {
    scale_ns = 1e3;
  } else if (unit == "ms" || unit.empty()) {
    scale_ns = 1e6;
  } else if (unit == "s") {
    scale_ns = 1e9;
  } else if (unit == "m" || unit == "min") {
    scale_ns = 60e9;
  } else if (unit == "h") {
    scale_ns = 3600e9;
  } else {
    throw std::invalid_argument("unknown unit");
  }
  const double ns = amount * scale_ns;
  if (!std::isfinite(ns) || ns < 0 || ns > 9.2e18) {
    throw std::invalid_argument("out of range");
  }
  return Duration(static_cast<std::int64_t>(ns));
}

Duration JsonNode::as_duration() const {
  if (value_->is_number()) {
    const double ms = as_number();
    if (ms < 0 || ms > 9.2e12) {
      fail(fmt::format("expected a duration of at least 0 ms, found {}", describe_found()));
    }
    return from_millis(ms);
  }
  if (value_->is_string()) {
    try {
      return parse_duration_text(value_->get<std::string>());
    } catch (const std::exception&) {
      // Fall through to the error below, which shows the accepted forms.
    }
  }
  fail(fmt::format(
      "expected a duration (milliseconds as a number, or a string such as \"250ms\", \"2s\", "
      "\"1m\"), found {}",
      describe_found()));
}

std::string JsonNode::get_string(const std::string& key, const std::string& fallback) const {
  auto node = find(key);
  return node ? node->as_string() : fallback;
}

double JsonNode::get_number(const std::string& key, double fallback) const {
  auto node = find(key);
  return node ? node->as_number() : fallback;
}

std::int64_t JsonNode::get_int(const std::string& key, std::int64_t fallback) const {
  auto node = find(key);
  return node ? node->as_int() : fallback;
}

bool JsonNode::get_bool(const std::string& key, bool fallback) const {
  auto node = find(key);
  return node ? node->as_bool() : fallback;
}

Duration JsonNode::get_duration(const std::string& key, Duration fallback) const {
  auto node = find(key);
  return node ? node->as_duration() : fallback;
}

double JsonNode::get_number_in(const std::string& key, double fallback, double low,
                               double high) const {
  auto node = find(key);
  if (!node) {
    return fallback;
  }
  const double v = node->as_number();
  if (v < low || v > high) {
    node->fail(fmt::format("expected a number from {} to {}, found {}", low, high, v));
  }
  return v;
}

std::int64_t JsonNode::get_int_in(const std::string& key, std::int64_t fallback, std::int64_t low,
                                  std::int64_t high) const {
  auto node = find(key);
  if (!node) {
    return fallback;
  }
  const std::int64_t v = node->as_int();
  if (v < low || v > high) {
    node->fail(fmt::format("expected an integer from {} to {}, found {}", low, high, v));
  }
  return v;
}

void JsonNode::allow_only(std::initializer_list<const char*> allowed) const {
  allow_only(std::vector<std::string>(allowed.begin(), allowed.end()));
}

void JsonNode::allow_only(const std::vector<std::string>& allowed) const {
  expect_object();
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    bool known = false;
    for (const auto& name : allowed) {
      known = known || it.key() == name;
    }
    if (!known) {
      auto steps = steps_;
      steps.emplace_back(it.key());
      std::string list;
      for (const auto& name : allowed) {
        list += (list.empty() ? "" : ", ") + name;
      }
      throw ConfigError(doc_->name(), locate_json_line(doc_->text(), steps),
                        format_json_path(steps),
                        fmt::format("unknown field \"{}\" (expected one of: {})", it.key(), list));
    }
  }
}

namespace {

std::string expand_string(const std::string& in, const JsonDocument& doc,
                          const std::vector<JsonStep>& steps) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in.compare(i, 3, "$${") == 0) {
      out += "${";
      i += 2;
      continue;
    }
    if (in.compare(i, 2, "${") != 0) {
      out.push_back(in[i]);
      continue;
    }
    const auto close = in.find('}', i + 2);
    const auto where = locate_json_line(doc.text(), steps);
    if (close == std::string::npos) {
      throw ConfigError(doc.name(), where, format_json_path(steps),
                        "unterminated ${ in string (write $${ for a literal ${)");
    }
    const std::string name = in.substr(i + 2, close - i - 2);
    const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
    if (value == nullptr) {
      throw ConfigError(doc.name(), where, format_json_path(steps),
                        fmt::format("environment variable {} is not set (referenced as ${{{}}})",
                                    name.empty() ? "\"\"" : name, name));
    }
    out += value;
    i = close;
  }
  return out;
}

void expand_value(json& value, const JsonDocument& doc, std::vector<JsonStep>& steps) {
  if (value.is_string()) {
    const auto& text = value.get_ref<const std::string&>();
    if (text.find("${") != std::string::npos) {
      value = expand_string(text, doc, steps);
    }
  } else if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      steps.emplace_back(it.key());
      expand_value(it.value(), doc, steps);
      steps.pop_back();
    }
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      steps.emplace_back(i);
      expand_value(value[i], doc, steps);
      steps.pop_back();
    }
  }
}

}  // namespace

void expand_environment(JsonDocument& doc) {
  std::vector<JsonStep> steps;
  expand_value(doc.mutable_root(), doc, steps);
}

}  // namespace rb
