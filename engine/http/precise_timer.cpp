#include "engine/http/precise_timer.hpp"

#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rb::http {

PreciseTimer::PreciseTimer(uv_loop_t* loop, Callback callback, void* data)
    : callback_(callback), data_(data) {
  fd_ = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd_ < 0) {
    throw std::runtime_error(std::string("timerfd_create failed: ") + std::strerror(errno));
  }
  const int rc = uv_poll_init(loop, &poll_, fd_);
  if (rc != 0) {
    ::close(fd_);
    throw std::runtime_error(std::string("uv_poll_init on a timerfd failed: ") + uv_strerror(rc));
  }
  poll_.data = this;
  uv_poll_start(&poll_, UV_READABLE, &PreciseTimer::on_readable);
}

void PreciseTimer::start_at(Duration at) {
  if (closed_ || at == armed_at_) {
    return;
  }
  // An all-zero it_value disarms a timerfd, so a time at or before zero is moved to 1 ns,
  // which has passed already and fires at once.
  const std::int64_t ns = at.count() > 0 ? at.count() : 1;
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  timerfd_settime(fd_, TFD_TIMER_ABSTIME, &spec, nullptr);
  armed_at_ = at;
}

void PreciseTimer::stop() {
  if (closed_ || armed_at_ == Duration::max()) {
    return;
  }
  const itimerspec disarm{};
  timerfd_settime(fd_, 0, &disarm, nullptr);
  armed_at_ = Duration::max();
}

void PreciseTimer::close() {
  if (closed_) {
    return;
  }
  stop();
  closed_ = true;
  uv_poll_stop(&poll_);
  uv_close(reinterpret_cast<uv_handle_t*>(&poll_), &PreciseTimer::on_closed);
}

void PreciseTimer::on_readable(uv_poll_t* handle, int status, int) {
  auto* self = static_cast<PreciseTimer*>(handle->data);
  std::uint64_t expirations = 0;
  // A read that finds nothing (EAGAIN) means the timer was re-armed after it fired.
  if (status < 0 || read(self->fd_, &expirations, sizeof expirations) != sizeof expirations) {
    return;
  }
  self->armed_at_ = Duration::max();
  self->callback_(self->data_);
}

void PreciseTimer::on_closed(uv_handle_t* handle) {
  auto* self = static_cast<PreciseTimer*>(handle->data);
  ::close(self->fd_);
  self->fd_ = -1;
}

}  // namespace rb::http
