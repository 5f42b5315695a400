#include "reports/json_fields.hpp"

namespace rb {

FieldReader::FieldReader(const nlohmann::json& object, std::string file, std::string path)
    : object_(&object), file_(std::move(file)), path_(std::move(path)) {
  if (!object.is_object()) {
    throw ResultFileError(file_, (path_.empty() ? std::string("the top level") : path_) +
                                     " must be a JSON object, found " + object.type_name());
  }
}

std::string FieldReader::path_of(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

void FieldReader::fail(const std::string& key, const std::string& reason) const {
  throw ResultFileError(file_, path_of(key) + ": " + reason);
}

const nlohmann::json& FieldReader::raw(const std::string& key) const {
  const auto it = object_->find(key);
  if (it == object_->end()) {
    fail(key, "missing field");
  }
  return *it;
}

FieldReader FieldReader::object(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_object()) {
    fail(key, std::string("expected an object, found ") + value.type_name());
  }
  return FieldReader(value, file_, path_of(key));
}

const nlohmann::json& FieldReader::array(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_array()) {
    fail(key, std::string("expected an array, found ") + value.type_name());
  }
  return value;
}

std::string FieldReader::string(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_string()) {
    fail(key, std::string("expected a string, found ") + value.type_name());
  }
  return value.get<std::string>();
}

double FieldReader::number(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_number()) {
    fail(key, std::string("expected a number, found ") + value.type_name());
  }
  return value.get<double>();
}

std::uint64_t FieldReader::count(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_number_unsigned()) {
    fail(key, std::string("expected a non-negative integer, found ") + value.dump());
  }
  return value.get<std::uint64_t>();
}

std::int64_t FieldReader::integer(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_number_integer()) {
    fail(key, std::string("expected an integer, found ") + value.dump());
  }
  return value.get<std::int64_t>();
}

bool FieldReader::boolean(const std::string& key) const {
  const nlohmann::json& value = raw(key);
  if (!value.is_boolean()) {
    fail(key, std::string("expected true or false, found ") + value.type_name());
  }
  return value.get<bool>();
}

FieldReader FieldReader::element(const std::string& key, std::size_t index) const {
  const nlohmann::json& items = array(key);
  const std::string element_path = path_of(key) + "[" + std::to_string(index) + "]";
  return FieldReader(items.at(index), file_, element_path);
}

}  // namespace rb
