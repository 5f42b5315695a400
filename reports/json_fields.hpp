#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace rb {

// A result file that cannot be used: not JSON, truncated, a missing or mistyped field, or
// another schema version. what() reads "FILE: reason".
class ResultFileError : public std::runtime_error {
 public:
  ResultFileError(const std::string& file, const std::string& reason)
      : std::runtime_error(file + ": " + reason), file_(file), reason_(reason) {}

  const std::string& file() const { return file_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::string reason_;
};

// Typed reads from one object of a result file. Each read names the field's JSON path
// (for example "strategies[1].latency_ms.p99") in the ResultFileError it throws.
class FieldReader {
 public:
  FieldReader(const nlohmann::json& object, std::string file, std::string path);

  const nlohmann::json& raw(const std::string& key) const;  // any type, must exist
  FieldReader object(const std::string& key) const;
  const nlohmann::json& array(const std::string& key) const;
  std::string string(const std::string& key) const;
  double number(const std::string& key) const;
  std::uint64_t count(const std::string& key) const;  // a non-negative integer
  std::int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;

  // A reader for an element of an array field, with the path "key[index]".
  FieldReader element(const std::string& key, std::size_t index) const;

  std::string path_of(const std::string& key) const;
  const nlohmann::json& value() const { return *object_; }
  const std::string& file() const { return file_; }
  [[noreturn]] void fail(const std::string& key, const std::string& reason) const;

 private:
  const nlohmann::json* object_;
  std::string file_;
  std::string path_;
};

}  // namespace rb
