#include "common/json_locator.hpp"

namespace rb {

namespace {

// A minimal scanner that walks the document's structure without building it. It trusts that
// nlohmann has already accepted the text, so it only needs to be right on valid input.
class Scanner {
 public:
  Scanner(std::string_view text, const std::vector<JsonStep>& target)
      : text_(text), target_(target) {}

  std::optional<int> run() {
    std::vector<JsonStep> path;
    skip_space();
    scan_value(path);
    return found_;
  }

 private:
  void scan_value(std::vector<JsonStep>& path) {
    if (found_ || pos_ >= text_.size()) {
      return;
    }
    if (path == target_) {
      found_ = line_;
      return;
    }
    const char c = text_[pos_];
    if (c == '{') {
      scan_object(path);
    } else if (c == '[') {
      scan_array(path);
    } else if (c == '"') {
      read_string();
    } else {
      while (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '}' &&
             text_[pos_] != ']' && !is_space(text_[pos_]) && text_[pos_] != '/') {
        ++pos_;
      }
    }
  }

  void scan_object(std::vector<JsonStep>& path) {
    ++pos_;
    skip_space();
    while (!found_ && pos_ < text_.size() && text_[pos_] != '}') {
      std::string key = read_string();
      skip_space();
      ++pos_;  // the colon
      skip_space();
      path.emplace_back(std::move(key));
      scan_value(path);
      path.pop_back();
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        skip_space();
      }
    }
    ++pos_;
  }

  void scan_array(std::vector<JsonStep>& path) {
    ++pos_;
    skip_space();
    std::size_t index = 0;
    while (!found_ && pos_ < text_.size() && text_[pos_] != ']') {
      path.emplace_back(index++);
      scan_value(path);
      path.pop_back();
      skip_space();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        skip_space();
      }
    }
    ++pos_;
  }

  std::string read_string() {
    std::string out;
    ++pos_;  // the opening quote
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        out.push_back(text_[pos_ + 1]);
        pos_ += 2;
        continue;
      }
      out.push_back(text_[pos_++]);
    }
    ++pos_;
    return out;
  }

  static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

  void skip_space() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (is_space(c)) {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') {
          ++pos_;
        }
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        pos_ += 2;
        while (pos_ + 1 < text_.size() && !(text_[pos_] == '*' && text_[pos_ + 1] == '/')) {
          if (text_[pos_] == '\n') {
            ++line_;
          }
          ++pos_;
        }
        pos_ += 2;
      } else {
        return;
      }
    }
  }

  std::string_view text_;
  const std::vector<JsonStep>& target_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::optional<int> found_;
};

}  // namespace

std::optional<int> locate_json_line(std::string_view text, const std::vector<JsonStep>& path) {
  return Scanner(text, path).run();
}

int line_of_offset(std::string_view text, std::size_t offset) {
  int line = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
    }
  }
  return line;
}

}  // namespace rb
