#pragma once

#include <atomic>

namespace rb {

// Installs SIGINT and SIGTERM handlers: the first signal sets the returned flag so the run
// stops its pacer, drains and still writes a partial report; a second one exits at once
// with status 130. The same signal again from the same sender within 50 ms counts as the
// first one, because GNU timeout delivers its signal twice.
const std::atomic<bool>& install_stop_signals();

}  // namespace rb
