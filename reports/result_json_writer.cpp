// write_result_json: result.json as nlohmann::json's indented dump would write it, with the
// histograms' bucket pairs streamed from the histograms.
#include <cstdlib>
#include <string>
#include <vector>

#include "reports/metrics_json.hpp"
#include "reports/result_json.hpp"

namespace rb {

namespace {

constexpr int kIndent = 2;  // the indent result.json has always had

void indent(std::ostream& out, int depth) {
  for (int i = 0; i < depth * kIndent; ++i) {
    out.put(' ');
  }
}

// Writes the pairs of `histogram` as the array nlohmann would print at `depth`.
void write_bucket_pairs(std::ostream& out, const Histogram& histogram, int depth) {
  const std::vector<Histogram::Bucket> buckets = histogram.nonzero_buckets();
  if (buckets.empty()) {
    out << "[]";
    return;
  }
  out << "[\n";
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    indent(out, depth + 1);
    out << "[\n";
    indent(out, depth + 2);
    out << buckets[i].index << ",\n";
    indent(out, depth + 2);
    out << buckets[i].count << '\n';
    indent(out, depth + 1);
    out << (i + 1 < buckets.size() ? "],\n" : "]\n");
  }
  indent(out, depth);
  out << ']';
}

// The writer's position: the keys and array positions from the document's root.
using Path = std::vector<std::string>;

class ResultWriter {
 public:
  ResultWriter(std::ostream& out, const RunResult& result) : out_(out), result_(result) {}

  void write(const nlohmann::json& value, Path& path, int depth) {
    if (const Histogram* histogram = streamed_buckets(path)) {
      write_bucket_pairs(out_, *histogram, depth);
      return;
    }
    if (value.is_object()) {
      write_object(value, path, depth);
    } else if (value.is_array()) {
      write_array(value, path, depth);
    } else {
      out_ << value.dump();
    }
  }

 private:
  void write_object(const nlohmann::json& value, Path& path, int depth) {
    if (value.empty()) {
      out_ << "{}";
      return;
    }
    out_ << "{\n";
    std::size_t written = 0;
    for (const auto& [key, member] : value.items()) {
      indent(out_, depth + 1);
      out_ << nlohmann::json(key).dump() << ": ";
      path.push_back(key);
      write(member, path, depth + 1);
      path.pop_back();
      out_ << (++written < value.size() ? ",\n" : "\n");
    }
    indent(out_, depth);
    out_ << '}';
  }

  void write_array(const nlohmann::json& value, Path& path, int depth) {
    if (value.empty()) {
      out_ << "[]";
      return;
    }
    out_ << "[\n";
    for (std::size_t i = 0; i < value.size(); ++i) {
      indent(out_, depth + 1);
      path.push_back(std::to_string(i));
      write(value[i], path, depth + 1);
      path.pop_back();
      out_ << (i + 1 < value.size() ? ",\n" : "\n");
    }
    indent(out_, depth);
    out_ << ']';
  }

  // The histogram whose pairs belong at `path`, which is
  // strategies/INDEX/histograms/NAME/buckets for the bucket arrays result_to_json left
  // empty; nullptr elsewhere.
  const Histogram* streamed_buckets(const Path& path) const {
    if (path.size() != 5 || path[0] != "strategies" || path[2] != "histograms" ||
        path[4] != "buckets") {
      return nullptr;
    }
    const std::size_t index = std::strtoull(path[1].c_str(), nullptr, 10);
    if (index >= result_.strategies.size()) {
      return nullptr;
    }
    for (const NamedHistogram& named : kResultHistograms) {
      if (path[3] == named.name) {
        return &(result_.strategies[index].metrics.*named.histogram);
      }
    }
    return nullptr;
  }

  std::ostream& out_;
  const RunResult& result_;
};

}  // namespace

void write_result_json(std::ostream& out, const RunResult& result) {
  const nlohmann::json tree = result_to_json(result, BucketPairs::kLeftEmpty);
  Path path;
  ResultWriter(out, result).write(tree, path, 0);
}

}  // namespace rb
