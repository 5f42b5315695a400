#include "fakeserver/http_connection.hpp"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "common/log.hpp"
#include "fakeserver/http_endpoint.hpp"

namespace rb {

namespace {

// A client that pipelines more unanswered requests than this is disconnected.
constexpr std::size_t kMaxPending = 1024;

// How long a connection that sent its last response and a FIN drains input before closing.
constexpr std::uint64_t kLingerMs = 2000;

// The wait between the half response and the RST of a mid-response reset, so that the
// client reads the partial bytes before the reset arrives.
constexpr std::uint64_t kMidResetDelayMs = 20;

HttpConnection* connection_of(llhttp_t* parser) {
  return static_cast<HttpConnection*>(parser->data);
}

std::string_view path_of(std::string_view target) {
  const std::size_t end = target.find_first_of("?#");
  return end == std::string_view::npos ? target : target.substr(0, end);
}

bool starts_with_bearer(std::string_view value) {
  static constexpr std::string_view kBearer = "bearer ";
  if (value.size() < kBearer.size()) {
    return false;
  }
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (static_cast<char>(std::tolower(static_cast<unsigned char>(value[i]))) != kBearer[i]) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  return text;
}

}  // namespace

HttpConnection::HttpConnection(HttpEndpoint& endpoint) : endpoint_(endpoint) {
  uv_tcp_init(endpoint_.loop(), &tcp_);
  uv_timer_init(endpoint_.loop(), &timer_);
  tcp_.data = this;
  timer_.data = this;
  write_req_.data = this;
  shutdown_req_.data = this;
  open_handles_ = 2;
  llhttp_init(&parser_, HTTP_REQUEST, &parser_settings());
  parser_.data = this;
  url_.reserve(128);
}

const llhttp_settings_t& HttpConnection::parser_settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = &HttpConnection::on_message_begin;
    s.on_url = &HttpConnection::on_url;
    s.on_header_field = &HttpConnection::on_header_field;
    s.on_header_value = &HttpConnection::on_header_value;
    s.on_headers_complete = &HttpConnection::on_headers_complete;
    s.on_body = &HttpConnection::on_body;
    s.on_message_complete = &HttpConnection::on_message_complete;
    return s;
  }();
  return settings;
}

void HttpConnection::start() {
  last_activity_ms_ = uv_now(endpoint_.loop());
  const auto alloc = [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
    *buf = static_cast<HttpConnection*>(handle->data)->endpoint_.read_buffer();
  };
  const auto read = [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
    static_cast<HttpConnection*>(stream->data)->on_read(nread, buf);
  };
  if (uv_read_start(stream(), alloc, read) == 0) {
    reading_ = true;
  } else {
    begin_close(false);
  }
}

// ---- Parsing -------------------------------------------------------------------------------

int HttpConnection::on_message_begin(llhttp_t* parser) {
  HttpConnection* self = connection_of(parser);
  self->in_message_ = true;
  self->headers_done_ = false;
  self->url_.clear();
  self->authorization_.clear();
  self->api_key_.clear();
  self->body_.clear();
  self->header_bytes_ = 0;
  self->body_bytes_ = 0;
  self->header_name_length_ = 0;
  self->in_header_value_ = false;
  self->message_start_ms_ = uv_now(self->endpoint_.loop());
  return HPE_OK;
}

bool HttpConnection::count_header_bytes(std::size_t length) {
  header_bytes_ += length;
  if (header_bytes_ > static_cast<std::size_t>(endpoint_.profile().max_header_bytes)) {
    parse_error_status_ = 431;
    return false;
  }
  return true;
}

int HttpConnection::on_url(llhttp_t* parser, const char* at, std::size_t length) {
  HttpConnection* self = connection_of(parser);
  if (!self->count_header_bytes(length)) {
    return HPE_USER;
  }
  self->url_.append(at, length);
  return HPE_OK;
}

int HttpConnection::on_header_field(llhttp_t* parser, const char* at, std::size_t length) {
  HttpConnection* self = connection_of(parser);
  if (!self->count_header_bytes(length)) {
    return HPE_USER;
  }
  if (self->in_header_value_) {
    self->in_header_value_ = false;
    self->header_name_length_ = 0;
  }
  // RFC 9112 requires a 400 for whitespace between a field name and its colon; llhttp 8
  // passes it through as part of the name.
  if (std::memchr(at, ' ', length) != nullptr || std::memchr(at, '\t', length) != nullptr) {
    return HPE_USER;
  }
  // Only a short lowercased prefix is kept; longer names are never headers of interest.
  for (std::size_t i = 0; i < length; ++i) {
    if (self->header_name_length_ < sizeof(self->header_name_)) {
      self->header_name_[self->header_name_length_] =
          static_cast<char>(std::tolower(static_cast<unsigned char>(at[i])));
    }
    ++self->header_name_length_;
  }
  return HPE_OK;
}

int HttpConnection::on_header_value(llhttp_t* parser, const char* at, std::size_t length) {
  HttpConnection* self = connection_of(parser);
  if (!self->count_header_bytes(length)) {
    return HPE_USER;
  }
  if (!self->in_header_value_) {
    self->in_header_value_ = true;
    const std::string_view name(self->header_name_,
                                std::min(self->header_name_length_, sizeof(self->header_name_)));
    const bool exact = self->header_name_length_ <= sizeof(self->header_name_);
    self->header_target_ = HeaderTarget::kOther;
    if (exact && name == "authorization") {
      self->header_target_ = HeaderTarget::kAuthorization;
    } else if (exact && name == "x-api-key") {
      self->header_target_ = HeaderTarget::kApiKey;
    }
  }
  if (self->header_target_ == HeaderTarget::kAuthorization) {
    self->authorization_.append(at, length);
  } else if (self->header_target_ == HeaderTarget::kApiKey) {
    self->api_key_.append(at, length);
  }
  return HPE_OK;
}

int HttpConnection::on_headers_complete(llhttp_t* parser) {
  HttpConnection* self = connection_of(parser);
  self->headers_done_ = true;
  const auto max_body = static_cast<std::uint64_t>(self->endpoint_.profile().max_body_bytes);
  if ((parser->flags & F_CONTENT_LENGTH) != 0 && parser->content_length > max_body) {
    self->parse_error_status_ = 413;
    return -1;
  }
  self->keep_body_ = llhttp_get_method(parser) == HTTP_POST;
  return HPE_OK;
}

int HttpConnection::on_body(llhttp_t* parser, const char* at, std::size_t length) {
  HttpConnection* self = connection_of(parser);
  self->body_bytes_ += length;
  if (self->body_bytes_ > static_cast<std::size_t>(self->endpoint_.profile().max_body_bytes)) {
    self->parse_error_status_ = 413;
    return HPE_USER;
  }
  if (self->keep_body_) {
    self->body_.append(at, length);
  }
  return HPE_OK;
}

int HttpConnection::on_message_complete(llhttp_t* parser) {
  HttpConnection* self = connection_of(parser);
  self->in_message_ = false;
  return self->handle_request();
}

void HttpConnection::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (closing_) {
    return;
  }
  if (nread < 0) {
    if (nread != UV_EOF) {
      spdlog::debug("fake endpoint {}: read failed: {}", endpoint_.name(),
                    uv_strerror(static_cast<int>(nread)));
      begin_close(false);
      return;
    }
    peer_closed_ = true;
    uv_read_stop(stream());
    reading_ = false;
    if (lingering_ || (pending_.empty() && out_.empty() && !writing_)) {
      begin_close(false);
      return;
    }
    process_due();
    return;
  }

  last_activity_ms_ = uv_now(endpoint_.loop());
  if (lingering_ || nread == 0) {
    return;
  }
  const llhttp_errno_t error = llhttp_execute(&parser_, buf->base, static_cast<std::size_t>(nread));
  if (error == HPE_PAUSED) {
    uv_read_stop(stream());
    reading_ = false;
  } else if (error != HPE_OK) {
    on_parse_error(error);
  }
  process_due();
}

void HttpConnection::on_parse_error(llhttp_errno_t error) {
  const int status = parse_error_status_ != 0 ? parse_error_status_ : 400;
  spdlog::debug("fake endpoint {}: malformed request ({}), responding {}", endpoint_.name(),
                llhttp_errno_name(error), status);
  ++endpoint_.counters().malformed;
  uv_read_stop(stream());
  reading_ = false;

  Pending pending;
  pending.decision.route = Route::kNotFound;
  pending.decision.status = status;
  pending.decision.body = BodyKind::kError;
  pending.decision.error = status == 431   ? ErrorKind::kHeadersTooLarge
                           : status == 413 ? ErrorKind::kBodyTooLarge
                                           : ErrorKind::kBadRequest;
  pending.keep_alive = false;
  pending.due = endpoint_.now();
  pending_.push_back(std::move(pending));
}

// ---- Deciding ------------------------------------------------------------------------------

RequestFacts HttpConnection::request_facts(Pending& pending) {
  RequestFacts facts;
  facts.method = llhttp_method_name(static_cast<llhttp_method_t>(llhttp_get_method(&parser_)));
  facts.path = path_of(url_);
  facts.body_bytes = body_bytes_;

  const std::string_view authorization = trim(authorization_);
  if (starts_with_bearer(authorization)) {
    facts.api_key = trim(authorization.substr(7));
  } else if (!api_key_.empty()) {
    facts.api_key = trim(api_key_);
  }

  if (facts.method == "POST" && facts.path == "/v1/chat/completions") {
    const nlohmann::json body = nlohmann::json::parse(body_, nullptr, false);
    const auto model = body.is_object() ? body.find("model") : body.end();
    facts.body_valid = body.is_object() && model != body.end() && model->is_string();
    if (facts.body_valid) {
      pending.model_json = model->dump();
      model_ = model->get<std::string>();
      facts.model = model_;
    }
  }
  return facts;
}

int HttpConnection::handle_request() {
  ++endpoint_.counters().received;
  Pending pending;
  pending.keep_alive = llhttp_should_keep_alive(&parser_) != 0;
  pending.head = llhttp_get_method(&parser_) == HTTP_HEAD;
  const RequestFacts facts = request_facts(pending);

  const Duration now = endpoint_.now();
  pending.decision = endpoint_.model().decide(now, facts);
  admit(pending, now);

  const Decision& d = pending.decision;
  const bool ready = pending.started && !d.hold && pending.due <= now;
  if (pending_.empty() && ready && d.connection == ConnectionFault::kNone) {
    // Fast path: nothing waits ahead of this response, so it is written without queueing.
    answer(pending, now);
  } else {
    pending_.push_back(std::move(pending));
  }

  // Parsing stops at a request after which the connection ends, so later pipelined requests
  // are neither decided nor counted.
  if (pending_.size() >= kMaxPending) {
    spdlog::warn("fake endpoint {}: closing a client with {} unanswered pipelined requests",
                 endpoint_.name(), pending_.size());
    set_close_action(CloseAction::kClose);
  }
  if (close_action_ != CloseAction::kNone) {
    return HPE_PAUSED;
  }
  if (pending_.empty()) {
    return HPE_OK;
  }
  const Pending& last = pending_.back();
  const bool ends = last.decision.connection != ConnectionFault::kNone || !last.keep_alive;
  return ends ? HPE_PAUSED : HPE_OK;
}

void HttpConnection::admit(Pending& pending, Duration now) {
  Decision& d = pending.decision;
  if (d.uses_capacity) {
    const std::uint64_t ticket = endpoint_.add_ticket(this);
    switch (endpoint_.model().admit(ticket, now)) {
      case CapacityAdmission::kStarted:
        pending.has_ticket = true;
        pending.ticket = ticket;
        break;
      case CapacityAdmission::kQueued:
        pending.has_ticket = true;
        pending.ticket = ticket;
        pending.started = false;
        break;
      case CapacityAdmission::kRejected:
        endpoint_.drop_ticket(ticket);
        d = endpoint_.model().capacity_rejection(d.route);
        break;
    }
  }
  pending.due = now + d.delay;
  endpoint_.counters().count_fault(d.fault);
}

void HttpConnection::on_ticket_started(std::uint64_t ticket, Duration now) {
  for (Pending& pending : pending_) {
    if (pending.has_ticket && pending.ticket == ticket) {
      pending.started = true;
      pending.due = now + pending.decision.delay;
      break;
    }
  }
  if (!processing_) {
    process_due();
  }
}

// ---- Answering -----------------------------------------------------------------------------

void HttpConnection::process_due() {
  if (processing_ || closing_) {
    return;
  }
  processing_ = true;
  const Duration now = endpoint_.now();
  while (!pending_.empty() && close_action_ == CloseAction::kNone) {
    Pending& head = pending_.front();
    if (!head.started || head.decision.hold) {
      break;
    }
    if (head.due > now) {
      schedule_timer(head.due - now);
      break;
    }
    Pending pending = std::move(head);
    pending_.pop_front();
    answer(pending, now);
  }
  // Once the client has closed, nothing is left to answer when the queue is empty or its
  // head is held (never answered, and answers leave in order), so the connection closes and
  // the held request gives up its capacity slot.
  const bool nothing_to_answer = pending_.empty() || pending_.front().decision.hold;
  if (close_action_ == CloseAction::kNone && nothing_to_answer && peer_closed_) {
    set_close_action(CloseAction::kClose);
  }
  processing_ = false;

  if (close_action_ != CloseAction::kNone) {
    drop_pending();
  }
  flush();
}

void HttpConnection::answer(Pending& pending, Duration now) {
  const Decision& d = pending.decision;
  ResponseContext context;
  context.model_json = pending.model_json;
  context.keep_alive = pending.keep_alive;
  context.head = pending.head;
  std::string stats;
  if (d.body == BodyKind::kStats) {
    stats = endpoint_.stats_json();
    context.stats_json = stats;
  }
  if (d.body == BodyKind::kCompletion) {
    context.sequence = endpoint_.next_sequence();
  }

  ResponseRenderer& renderer = endpoint_.renderer();
  switch (d.connection) {
    case ConnectionFault::kNone:
      renderer.render(d, context, out_);
      endpoint_.counters().count_answer(d.status);
      break;
    case ConnectionFault::kResetBeforeResponse:
      set_close_action(CloseAction::kReset);
      break;
    case ConnectionFault::kResetMidResponse: {
      const RenderedSpan span = renderer.render(d, context, out_);
      out_.resize(span.body_start + (span.end - span.body_start) / 2);
      set_close_action(CloseAction::kResetLater);
      break;
    }
    case ConnectionFault::kCloseWithoutResponse:
      set_close_action(CloseAction::kClose);
      break;
    case ConnectionFault::kTruncatedBody: {
      const RenderedSpan span = renderer.render(d, context, out_);
      out_.resize(span.body_start + (span.end - span.body_start) / 2);
      set_close_action(CloseAction::kClose);
      break;
    }
    case ConnectionFault::kMalformedStatusLine:
      ResponseRenderer::render_malformed(out_);
      set_close_action(CloseAction::kClose);
      break;
  }

  finish_ticket(pending, now);
  if (!pending.keep_alive) {
    set_close_action(CloseAction::kClose);
  }
}

void HttpConnection::finish_ticket(Pending& pending, Duration now) {
  if (!pending.has_ticket) {
    return;
  }
  pending.has_ticket = false;
  endpoint_.drop_ticket(pending.ticket);
  endpoint_.start_ticket(endpoint_.model().finish(pending.ticket, now), now);
}

void HttpConnection::drop_pending() {
  if (pending_.empty()) {
    return;
  }
  // Move the list out first: cancelling may start another of these tickets, which is then
  // cancelled in turn further down the list.
  std::deque<Pending> dropped = std::move(pending_);
  pending_.clear();
  const Duration now = endpoint_.now();
  for (Pending& pending : dropped) {
    if (pending.has_ticket) {
      endpoint_.drop_ticket(pending.ticket);
      endpoint_.start_ticket(endpoint_.model().cancel(pending.ticket, now), now);
    }
  }
}

void HttpConnection::schedule_timer(Duration delay) {
  const auto ms = static_cast<std::uint64_t>((delay.count() + 999999) / 1000000);
  uv_timer_start(
      &timer_,
      [](uv_timer_t* timer) {
        auto* self = static_cast<HttpConnection*>(timer->data);
        if (self->close_action_ == CloseAction::kResetLater) {
          self->begin_close(true);
        } else {
          self->process_due();
        }
      },
      std::max<std::uint64_t>(ms, 1), 0);
}

// ---- Writing and closing -------------------------------------------------------------------

void HttpConnection::flush() {
  if (writing_ || closing_) {
    return;
  }
  if (out_.empty()) {
    after_flush();
    return;
  }

  uv_buf_t buf = uv_buf_init(out_.data(), static_cast<unsigned int>(out_.size()));
  const int written = uv_try_write(stream(), &buf, 1);
  if (written == static_cast<int>(out_.size())) {
    out_.clear();
    after_flush();
    return;
  }
  if (written < 0 && written != UV_EAGAIN) {
    begin_close(false);
    return;
  }

  // The kernel took part or none of it: hand the rest to uv_write, which needs the bytes to
  // stay put until its callback, so they move to in_flight_ and out_ collects new answers.
  in_flight_.swap(out_);
  out_.clear();
  in_flight_.erase(0, written > 0 ? static_cast<std::size_t>(written) : 0);
  buf = uv_buf_init(in_flight_.data(), static_cast<unsigned int>(in_flight_.size()));
  writing_ = true;
  const auto on_write = [](uv_write_t* req, int status) {
    auto* self = static_cast<HttpConnection*>(req->data);
    self->writing_ = false;
    self->in_flight_.clear();
    if (self->closing_) {
      return;
    }
    if (status < 0) {
      self->begin_close(false);
      return;
    }
    self->last_activity_ms_ = uv_now(self->endpoint_.loop());
    self->flush();
  };
  if (uv_write(&write_req_, stream(), &buf, 1, on_write) != 0) {
    writing_ = false;
    begin_close(false);
  }
}

void HttpConnection::set_close_action(CloseAction action) {
  if (close_action_ == CloseAction::kNone) {
    close_action_ = action;
  }
}

void HttpConnection::after_flush() {
  switch (close_action_) {
    case CloseAction::kNone:
      break;
    case CloseAction::kClose:
      begin_linger();
      break;
    case CloseAction::kReset:
      begin_close(true);
      break;
    case CloseAction::kResetLater:
      uv_timer_start(
          &timer_,
          [](uv_timer_t* timer) { static_cast<HttpConnection*>(timer->data)->begin_close(true); },
          kMidResetDelayMs, 0);
      break;
  }
}

void HttpConnection::begin_linger() {
  if (lingering_ || closing_) {
    return;
  }
  if (peer_closed_) {
    begin_close(false);
    return;
  }
  // Sending FIN and draining what the client still sends avoids the RST that closing a
  // socket with unread input causes, which could destroy the last answer in flight.
  lingering_ = true;
  last_activity_ms_ = uv_now(endpoint_.loop());
  const auto on_shutdown = [](uv_shutdown_t* req, int status) {
    auto* self = static_cast<HttpConnection*>(req->data);
    if (status < 0 && !self->closing_) {
      self->begin_close(false);
    }
  };
  if (uv_shutdown(&shutdown_req_, stream(), on_shutdown) != 0) {
    begin_close(false);
    return;
  }
  if (!reading_) {
    start();
  }
}

void HttpConnection::begin_close(bool reset) {
  if (closing_) {
    return;
  }
  closing_ = true;
  drop_pending();
  endpoint_.remove_connection(this);
  uv_timer_stop(&timer_);

  const auto on_close = [](uv_handle_t* handle) {
    auto* self = static_cast<HttpConnection*>(handle->data);
    if (--self->open_handles_ == 0) {
      delete self;
    }
  };
  auto* tcp_handle = reinterpret_cast<uv_handle_t*>(&tcp_);
  if (!reset || uv_tcp_close_reset(&tcp_, on_close) != 0) {
    uv_close(tcp_handle, on_close);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
}

void HttpConnection::abort(bool reset) {
  begin_close(reset);
}

void HttpConnection::check_timeouts(std::uint64_t now_ms) {
  if (closing_) {
    return;
  }
  const FaultProfile& profile = endpoint_.profile();
  const auto idle_ms = static_cast<std::uint64_t>(to_millis(profile.idle_timeout));
  const auto header_ms = static_cast<std::uint64_t>(to_millis(profile.header_timeout));
  if (lingering_) {
    if (now_ms - last_activity_ms_ >= kLingerMs) {
      begin_close(false);
    }
    return;
  }
  if (in_message_ && !headers_done_ && now_ms - message_start_ms_ >= header_ms) {
    spdlog::debug("fake endpoint {}: closing a client whose headers took over {} ms",
                  endpoint_.name(), header_ms);
    begin_close(false);
    return;
  }
  if (pending_.empty() && !writing_ && now_ms - last_activity_ms_ >= idle_ms) {
    begin_close(false);
  }
}

}  // namespace rb
