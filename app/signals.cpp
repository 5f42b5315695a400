#include "app/signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstring>

#include "reports/atomic_file.hpp"

namespace rb {

namespace {

std::atomic<bool> g_stop_requested{false};

void on_signal(int) {
  if (g_stop_requested.exchange(true)) {
    // Only async-signal-safe calls here.
    static const char kMessage[] = "\nretrybench: second signal, exiting now\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    remove_temporary_file_in_progress();  // a report half written stays under no name
    _exit(130);
  }
  static const char kMessage[] =
      "\nretrybench: stopping: draining requests in flight, then writing a partial report "
      "(signal again to exit at once)\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_handler = &on_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A peer that closes mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  return g_stop_requested;
}

}  // namespace rb
