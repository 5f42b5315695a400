#include "app/signals.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <ctime>

#include "reports/atomic_file.hpp"

namespace rb {

namespace {

std::atomic<bool> g_stop_requested{false};

// The first stop signal: its number, its sender and when it arrived (CLOCK_MONOTONIC, ns).
std::atomic<int> g_first_signal{0};
std::atomic<pid_t> g_first_sender{0};
std::atomic<std::int64_t> g_first_at_ns{0};

// GNU timeout sends its signal to the child and then to its whole process group, so a run
// under `timeout -s INT` receives the same signal twice within microseconds. A repeat of
// the first signal from the same sender within this window is that one request, not a
// second one.
constexpr std::int64_t kRepeatWindowNs = 50'000'000;

std::int64_t monotonic_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);  // async-signal-safe
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

bool is_repeat_of_first(int signal_number, const siginfo_t* info) {
  return signal_number == g_first_signal.load() && info != nullptr &&
         info->si_pid == g_first_sender.load() &&
         monotonic_ns() - g_first_at_ns.load() < kRepeatWindowNs;
}

void on_signal(int signal_number, siginfo_t* info, void*) {
  if (g_stop_requested.load() && is_repeat_of_first(signal_number, info)) {
    return;
  }
  if (g_stop_requested.exchange(true)) {
    // Only async-signal-safe calls here.
    static const char kMessage[] = "\nretrybench: second signal, exiting now\n";
    [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
    remove_temporary_file_in_progress();  // a report half written stays under no name
    _exit(130);
  }
  g_first_signal.store(signal_number);
  g_first_sender.store(info != nullptr ? info->si_pid : 0);
  g_first_at_ns.store(monotonic_ns());
  static const char kMessage[] =
      "\nretrybench: stopping: draining requests in flight, then writing a partial report "
      "(signal again to exit at once)\n";
  [[maybe_unused]] const ssize_t written = write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  struct sigaction action;
  std::memset(&action, 0, sizeof action);
  action.sa_sigaction = &on_signal;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  // A peer that closes mid-write must not kill the process.
  signal(SIGPIPE, SIG_IGN);
  return g_stop_requested;
}

}  // namespace rb
