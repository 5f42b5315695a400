#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace rb {

// Writes `content` to `path` through a temporary file in the same directory that is
// flushed, closed and then renamed over `path`, so a reader or a crash never sees a
// half-written file under the final name. Throws std::runtime_error
// "cannot write PATH: reason" on failure and removes the temporary file.
void write_file_atomically(const std::string& path, const std::string& content);

// The same, for content that `produce` streams out piece by piece, so a large report is
// never held in memory whole. A stream error counts as a write failure.
void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& produce);

// Removes the temporary file of a write in progress, if any. Async-signal-safe: a signal
// handler that ends the process with _exit() calls it so that no *.tmp.* file stays behind.
void remove_temporary_file_in_progress();

}  // namespace rb
