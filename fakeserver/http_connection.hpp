#pragma once

#include <llhttp.h>
#include <uv.h>

#include <cstdint>
#include <deque>
#include <string>

#include "fakeserver/fault_model.hpp"

namespace rb {

class HttpEndpoint;

// One accepted client connection: llhttp parses requests as they arrive, the endpoint's fault
// model decides each one, and answers leave in request order (pipelining-safe). The object
// deletes itself once its handles are closed.
class HttpConnection {
 public:
  explicit HttpConnection(HttpEndpoint& endpoint);

  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  uv_tcp_t* tcp() { return &tcp_; }

  // Starts reading after uv_accept succeeded.
  void start();

  // Closes at once, with RST when `reset`, dropping whatever waits to be answered.
  void abort(bool reset);

  // A queued capacity ticket of this connection entered service at `now`.
  void on_ticket_started(std::uint64_t ticket, Duration now);

  // Closes the connection when an idle, header or linger deadline has passed.
  void check_timeouts(std::uint64_t now_ms);

  // True while a request of this connection waits for its answer.
  bool has_pending() const { return !pending_.empty(); }

  HttpConnection* next = nullptr;  // endpoint's intrusive list
  HttpConnection* prev = nullptr;

 private:
  // What happens once everything rendered so far is written.
  enum class CloseAction : std::uint8_t { kNone, kClose, kReset, kResetLater };

  // Which request header the value being parsed belongs to.
  enum class HeaderTarget : std::uint8_t { kOther, kAuthorization, kApiKey };

  // A decided request whose answer is not written yet.
  struct Pending {
    Decision decision;
    std::uint64_t ticket = 0;  // capacity ticket when has_ticket
    bool has_ticket = false;
    bool started = true;     // false while queued for capacity
    Duration due{0};         // when the answer is due, once started
    std::string model_json;  // completion: the model as a JSON string literal
    bool keep_alive = true;
    bool head = false;
  };

  static int on_message_begin(llhttp_t* parser);
  static int on_url(llhttp_t* parser, const char* at, std::size_t length);
  static int on_header_field(llhttp_t* parser, const char* at, std::size_t length);
  static int on_header_value(llhttp_t* parser, const char* at, std::size_t length);
  static int on_headers_complete(llhttp_t* parser);
  static int on_body(llhttp_t* parser, const char* at, std::size_t length);
  static int on_message_complete(llhttp_t* parser);
  static const llhttp_settings_t& parser_settings();

  void on_read(ssize_t nread, const uv_buf_t* buf);
  void on_parse_error(llhttp_errno_t error);
  bool count_header_bytes(std::size_t length);
  int handle_request();
  RequestFacts request_facts(Pending& pending);
  void admit(Pending& pending, Duration now);
  void process_due();
  void answer(Pending& pending, Duration now);
  void finish_ticket(Pending& pending, Duration now);
  void drop_pending();
  void schedule_timer(Duration delay);
  void flush();
  void after_flush();
  void set_close_action(CloseAction action);
  void begin_close(bool reset);
  void begin_linger();

  HttpEndpoint& endpoint_;
  uv_tcp_t tcp_{};
  uv_timer_t timer_{};  // next due answer, or the delayed RST
  uv_write_t write_req_{};
  uv_shutdown_t shutdown_req_{};
  llhttp_t parser_{};

  // The request being parsed.
  std::string url_;
  std::string authorization_;
  std::string api_key_;
  std::string body_;
  std::string model_;          // the body's "model", which RequestFacts::model views
  char header_name_[16] = {};  // lowercased prefix of the header name being parsed
  std::size_t header_name_length_ = 0;
  HeaderTarget header_target_ = HeaderTarget::kOther;
  bool in_header_value_ = false;
  bool in_message_ = false;
  bool headers_done_ = false;
  bool keep_body_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  int parse_error_status_ = 0;  // 413 or 431 when a limit stopped the parser

  std::deque<Pending> pending_;  // decided requests in arrival order
  std::string out_;              // rendered bytes not yet handed to the kernel
  std::string in_flight_;        // bytes of the uv_write in progress
  bool writing_ = false;
  bool processing_ = false;  // inside process_due(), which must not re-enter
  bool reading_ = false;
  bool peer_closed_ = false;  // the client sent FIN
  bool lingering_ = false;    // FIN sent, draining input until the client closes
  bool closing_ = false;
  CloseAction close_action_ = CloseAction::kNone;
  int open_handles_ = 0;
  std::uint64_t last_activity_ms_ = 0;  // uv_now() of the last read or write
  std::uint64_t message_start_ms_ = 0;  // uv_now() when the current request began
};

}  // namespace rb
