#include "tools/server/server.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>

#include "events/base/durable_file.h"
#include "ledger/audit/checkpoint_folder.h"
#include "tools/net/pem_files.h"
#include "tools/server/server_impl.h"

namespace ccl::ledgerd {
namespace {

// How often the server looks whether the ledger's checkpoint is due
// (CheckpointFolderOptions says when it is).
constexpr auto kCheckpointPollInterval = std::chrono::seconds(1);
constexpr auto kDrainPollInterval = std::chrono::milliseconds(20);
// After the drain time: how long closed connections get to finish their handlers.
constexpr auto kForceCloseTimeout = std::chrono::seconds(5);

std::string CheckpointFolderOf(const ServerOptions& o) {
  return o.checkpoint_dir.empty() ? ledger::DefaultCheckpointFolder(o.db_path) : o.checkpoint_dir;
}

Status ParseListen(const std::string& listen, net::ip::address* address, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--listen: expected HOST:PORT, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  *address = net::ip::make_address(host, ec);
  if (ec) {
    return Status::InvalidArgument("--listen: '" + host +
                                   "' is not an IP address (name resolution is not done)");
  }
  const std::string p = listen.substr(colon + 1);
  const auto [end, err] = std::from_chars(p.data(), p.data() + p.size(), *port);
  if (p.empty() || err != std::errc() || end != p.data() + p.size()) {
    return Status::InvalidArgument("--listen: port must be 0..65535, got '" + p + "'");
  }
  return Status::OK();
}

// A port file's whole text: the port and a newline ("8443\n").
bool IsPortFileText(std::string_view text) {
  if (text.size() < 2 || text.size() > 6 || text.back() != '\n') return false;
  text.remove_suffix(1);
  uint16_t port = 0;
  const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), port);
  return err == std::errc() && end == text.data() + text.size();
}

// --port-file, checked before anything is written: never in the ledger's
// folder or its checkpoint folder (as ledgerctl's --out), and never over a
// regular file that is not a port file, a previous run's (ledgerd replaces
// only what it wrote: a file holding one port number). A device or FIFO is
// written in place, a missing file created (events/base/durable_file.h).
Status CheckPortFile(const ServerOptions& o) {
  if (o.port_file.empty()) return Status::OK();
  CCL_RETURN_IF_ERROR(
      ledger::CheckOutputOutsideLedger(o.port_file, o.db_path, CheckpointFolderOf(o))
          .WithContext("--port-file"));
  struct stat st {};
  if (::stat(o.port_file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return Status::OK();
  std::string text(8, '\0');
  const int fd = ::open(o.port_file.c_str(), O_RDONLY | O_CLOEXEC);
  const ssize_t n = fd < 0 ? -1 : ::read(fd, text.data(), text.size());
  if (fd >= 0) ::close(fd);
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  if (n >= 0 && (n == 0 || IsPortFileText(text))) return Status::OK();
  return Status::InvalidArgument("--port-file " + o.port_file +
                                 ": exists and is not a port file (one port number); "
                                 "refusing to replace it (name a new file)");
}

}  // namespace

Status Server::Create(const ServerOptions& options, std::unique_ptr<Server>* out) {
  auto server = std::make_unique<ServerImpl>(options);
  CCL_RETURN_IF_ERROR(server->Init());
  *out = std::move(server);
  return Status::OK();
}

ServerImpl::ServerImpl(const ServerOptions& options)
    : options_(options), workers_(std::max<size_t>(1, options.worker_threads)) {}

ServerImpl::~ServerImpl() { workers_.join(); }

Status ServerImpl::Init() {
  CCL_RETURN_IF_ERROR(CheckPortFile(options_));
  policy_ = std::make_unique<PolicyStore>(options_.policy_path, options_.tokens_path);
  CCL_RETURN_IF_ERROR(policy_->Reload());
  CCL_RETURN_IF_ERROR(InitTls());
  if (!options_.digest_key.empty()) {
    ledger::SigningKey key;
    CCL_RETURN_IF_ERROR(
        ledger::ReadSigningKey(options_.digest_key, &key).WithContext("--digest-key"));
    service_.digest_key = key;
  }
  if (!options_.checkpoint_dir.empty()) {
    CCL_RETURN_IF_ERROR(ledger::CheckFolderOutsideLedger(options_.checkpoint_dir, options_.db_path)
                            .WithContext("--checkpoints"));
  }
  // A ledger that no longer extends its own checkpoint (rolled back, forked)
  // takes no write: ledgerctl refuses the same before its writes. Checked
  // first on a read-only open, which leaves the files of a refused ledger as
  // they were (the writer's open replays its log into new files).
  ledger::OwnCheckpointReport own;
  CCL_RETURN_IF_ERROR(ledger::CheckFolderTakesCheckpoints(CheckpointFolderOf(options_))
                          .WithDetail("(not serving it)"));
  CCL_RETURN_IF_ERROR(ledger::CheckStoredLedgerExtendsCheckpoint(options_.db_path,
                                                                 CheckpointFolderOf(options_), &own)
                          .WithDetail("(not serving it)"));
  ledger::Options lo;
  CCL_RETURN_IF_ERROR(ledger::Ledger::Open(lo, options_.db_path, &ledger_));
  CCL_RETURN_IF_ERROR(
      ledger::CheckLedgerExtendsCheckpoint(ledger_.get(), CheckpointFolderOf(options_), &own)
          .WithDetail("(not serving it)"));
  // Nor one whose writes the checkpoint folder could not cover (ledgerctl
  // refuses its writes the same way).
  CCL_RETURN_IF_ERROR(ledger::CheckFolderTakesCheckpoints(CheckpointFolderOf(options_))
                          .WithDetail("(not serving it)"));
  checkpoint_head_ = own.found ? own.checkpoint_size : 0;
  checkpoint_at_ = std::chrono::steady_clock::now();
  service_.ledger = ledger_.get();
  service_.options = &options_;
  service_.metrics = &metrics_;
  service_.policy = policy_.get();
  if (options_.access_log) {
    access_log_ = std::make_unique<AccessLog>(ledger_.get());
    service_.access_log = access_log_.get();
  }
  service_.on_appended = [this] { NotifySubscribers(); };
  service_.on_reload = [this](const Status& s, const std::string& trigger) {
    LogReload(s, trigger);
  };
  return Bind();
}

namespace {

// What is wrong with the file of a PEM option that cannot be opened, said
// before OpenSSL would ("asio.ssl error" for a file that is not there).
Status CheckPemFile(const char* option, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status::InvalidArgument(std::string(option) + " " + path +
                                   ": cannot be read: " + std::strerror(errno));
  }
  struct stat st {};
  const bool folder = ::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  ::close(fd);
  if (folder) {
    return Status::InvalidArgument(std::string(option) + " " + path +
                                   ": is a folder, not a PEM file");
  }
  return Status::OK();
}

}  // namespace

Status ServerImpl::InitTls() {
  SSL_CTX* ctx = tls_.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_options(
      ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_set_cipher_list(ctx, kTls12CipherList) != 1 ||
      SSL_CTX_set_ciphersuites(ctx, kTls13CipherSuites) != 1) {
    return Status::InvalidArgument("the TLS cipher lists are not supported by this OpenSSL");
  }
  CCL_RETURN_IF_ERROR(CheckPemFile("--tls-key", options_.tls_key));
  CCL_RETURN_IF_ERROR(CheckPemFile("--tls-cert", options_.tls_cert));
  CCL_RETURN_IF_ERROR(CheckPemFile("--client-ca", options_.client_ca));
  ccl::net::NeverAskPassphrase(ctx);
  beast::error_code ec;
  // The key first: a certificate that does not match it only drops it
  // (OpenSSL), and the check below then names the mismatch.
  tls_.use_private_key_file(options_.tls_key, ssl::context::pem, ec);
  if (ec) {
    return Status::InvalidArgument(ccl::net::PemRefusal("--tls-key", options_.tls_key,
                                                        ccl::net::PemBlock::kPrivateKey,
                                                        "the certificate", ec.message()));
  }
  tls_.use_certificate_chain_file(options_.tls_cert, ec);
  if (ec) {
    return Status::InvalidArgument(ccl::net::PemRefusal("--tls-cert", options_.tls_cert,
                                                        ccl::net::PemBlock::kCertificate, "the key",
                                                        ec.message()));
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("--tls-key " + options_.tls_key +
                                   ": not the key of the certificate in --tls-cert " +
                                   options_.tls_cert);
  }
  tls_.load_verify_file(options_.client_ca, ec);
  if (ec) {
    return Status::InvalidArgument(ccl::net::PemRefusal("--client-ca", options_.client_ca,
                                                        ccl::net::PemBlock::kCertificate, "a key",
                                                        ec.message()));
  }
  // A certificate, when sent, must chain to the client CA (else the handshake
  // fails); none may be sent by a client with a service token, and a request
  // with neither is 401 (auth.h).
  tls_.set_verify_mode(ssl::verify_peer);
  static const unsigned char kSessionContext[] = "ledgerd";
  SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  return Status::OK();
}

Status ServerImpl::Bind() {
  net::ip::address address;
  uint16_t port = 0;
  CCL_RETURN_IF_ERROR(ParseListen(options_.listen, &address, &port));
  beast::error_code ec;
  const tcp::endpoint endpoint(address, port);
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Status::IOError("--listen " + options_.listen + ": " + ec.message());
  port_ = acceptor_.local_endpoint().port();
  if (!address.is_loopback()) {
    Log(spdlog::level::warn,
        "listening beyond loopback on " + options_.listen + " as --listen says");
  }
  // Registered before the port is published (--port-file): a supervisor
  // may signal as soon as it reads it, and a SIGTERM must then be this
  // server's stop (drain, checkpoint, exit 0), not the default action. A
  // signal before Run() waits for one is held until it does.
  signals_.add(SIGTERM);
  signals_.add(SIGINT);
  signals_.add(SIGHUP);
  if (!options_.port_file.empty()) {
    // Replaced atomically: a reader polling for it sees the whole port.
    CCL_RETURN_IF_ERROR(events::WriteFileDurably(options_.port_file, std::to_string(port_) + "\n")
                            .WithContext("--port-file"));
  }
  return Status::OK();
}

void ServerImpl::Log(spdlog::level::level_enum level, std::string_view msg,
                     std::string_view json_fields) const {
  if (!options_.log_json) {
    spdlog::log(level, "{}", msg);
    return;
  }
  std::string line = "\"msg\":" + JsonQuoted(msg);
  if (!json_fields.empty()) {
    line += ',';
    line += json_fields;
  }
  spdlog::log(level, "{}", line);
}

Status ServerImpl::Run() {
  const std::string start = "listening on " + options_.listen + " (port " + std::to_string(port_) +
                            "), ledger " + options_.db_path + " at seq " +
                            std::to_string(ledger_->head().seq) + ", policy " +
                            options_.policy_path + " (" + std::to_string(policy_->Get()->size()) +
                            " principals), " + std::to_string(options_.worker_threads) + " workers";
  Log(spdlog::level::info, start, "\"port\":" + std::to_string(port_));
  if (access_log_ != nullptr) {
    CCL_RETURN_IF_ERROR(access_log_->RecordStart(options_).WithContext("access log"));
  } else {
    Log(spdlog::level::warn,
        "WARNING: --access-log off: requests to this ledger are NOT recorded; who read or "
        "wrote what cannot be shown later");
  }
  const ServerLimits& l = options_.limits;
  const std::string limits =
      "limits: body " + std::to_string(l.body_bytes) + " bytes, " +
      std::to_string(l.events_per_request) + " events per request, header " +
      std::to_string(l.header_bytes) + " bytes in " + std::to_string(l.header_read_ms) +
      " ms, body " + std::to_string(l.body_read_ms) + " ms, idle " + std::to_string(l.idle_ms) +
      " ms, " + std::to_string(l.connections) + " connections (" +
      std::to_string(l.connections_per_client) + " per client), " +
      std::to_string(l.feed_subscribers) + " feed subscribers, " + std::to_string(l.response_rows) +
      " rows per response, drain " + std::to_string(l.shutdown_drain_ms) + " ms";
  Log(spdlog::level::info, limits);
  WaitSignal();
  Accept();
  ScheduleCheckpoint();
  // Two I/O threads: TLS is the CPU work of the I/O side; reads and reports
  // run on the workers, appends' group commits on the ledger's own threads.
  std::thread second([this] { ioc_.run(); });
  ioc_.run();
  second.join();
  // Requests past the drain time: their ledger calls finish, then their
  // connections are closed and the handlers still queued run out, so no
  // session outlives the state it reports to.
  workers_.join();
  // Appends still in their group commit answer on their strands: let them
  // end first (the ledger completes every one it queued).
  while (service_.appends_in_flight.load() != 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ForceCloseSessions();
  ioc_.restart();
  ioc_.run_for(kForceCloseTimeout);
  // The writes since the last checkpoint are covered by this one; when it
  // cannot be published the stop is not clean: said, and the exit code says so.
  const Status published = PublishCheckpoint("shutdown");
  sessions_.clear();
  subscribers_.clear();
  service_.access_log = nullptr;
  access_log_.reset();  // writes what is queued: the records of requests not answered
  ledger_.reset();      // closes RocksDB: every acknowledged append was already synced
  Log(spdlog::level::info, "stopped");
  return published.WithContext("stopped, but the ledger's checkpoint was not published");
}

void ServerImpl::Accept() {
  // Each connection's socket gets a strand of its own; the handler runs on
  // control_, where a shutdown closes the acceptor.
  auto on_accept = [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (!acceptor_.is_open()) return;  // shutdown
      Log(spdlog::level::warn, "accept: " + ec.message());
    } else {
      beast::error_code ip_ec;
      const auto remote = socket.remote_endpoint(ip_ec);
      const std::string ip = ip_ec ? "?" : remote.address().to_string();
      if (!Admit(ip)) {
        Log(spdlog::level::warn, "connection from " + ip + " closed: connection limit reached");
        socket.close(ip_ec);
      } else {
        auto session = std::make_shared<Session>(std::move(socket), this, ip);
        Track(session);
        session->Start();
      }
    }
    Accept();
  };
  acceptor_.async_accept(net::make_strand(ioc_), net::bind_executor(control_, on_accept));
}

bool ServerImpl::Admit(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  size_t& mine = per_client_[ip];
  if (connections_ >= options_.limits.connections ||
      mine >= options_.limits.connections_per_client) {
    if (mine == 0) per_client_.erase(ip);
    return false;
  }
  ++connections_;
  ++mine;
  metrics_.ConnectionOpened();
  return true;
}

void ServerImpl::Release(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  assert(connections_ > 0);
  --connections_;
  if (--per_client_[ip] == 0) per_client_.erase(ip);
  metrics_.ConnectionClosed();
}

void ServerImpl::Track(const std::shared_ptr<Session>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  sessions_.push_back(s);
}

bool ServerImpl::AddSubscriber(const std::shared_ptr<Session>& s) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(subscribers_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  if (subscribers_.size() >= options_.limits.feed_subscribers) return false;
  subscribers_.push_back(s);
  metrics_.SubscriberAdded();
  return true;
}

void ServerImpl::RemoveSubscriber(Session* s) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(subscribers_, [s](const std::weak_ptr<Session>& w) {
    auto p = w.lock();
    return !p || p.get() == s;
  });
  metrics_.SubscriberRemoved();
}

std::vector<std::shared_ptr<Session>> ServerImpl::Live(
    const std::vector<std::weak_ptr<Session>>& sessions) {
  std::vector<std::shared_ptr<Session>> live;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& w : sessions) {
    if (auto p = w.lock()) live.push_back(std::move(p));
  }
  return live;
}

void ServerImpl::NotifySubscribers() {
  const std::vector<std::shared_ptr<Session>> live = Live(subscribers_);
  for (const auto& s : live) s->WakeFeed();
}

void ServerImpl::WaitSignal() {
  signals_.async_wait(net::bind_executor(control_, [this](beast::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      ReloadOnSignal();
      WaitSignal();
      return;
    }
    BeginShutdown();
  }));
}

void ServerImpl::LogReload(const Status& s, const std::string& trigger) {
  if (!s.ok()) {
    Log(spdlog::level::err,
        "policy not reloaded, the old one stays (" + trigger + "): " + s.message());
    return;
  }
  // Each feed subscriber is authorized again, under the new rules, before
  // it is sent anything more: woken now, not at its next event or heartbeat.
  NotifySubscribers();
  const auto rules = policy_->Rules();
  Log(spdlog::level::info, "policy reloaded (" + trigger +
                               "): " + std::to_string(rules->policy.size()) + " principals, " +
                               std::to_string(rules->tokens.size()) + " service tokens");
}

void ServerImpl::ReloadOnSignal() {
  ReloadDigests digests;
  Status s = policy_->Reload(&digests);
  LogReload(s, "SIGHUP");
  if (access_log_ == nullptr) return;
  const uint16_t status = s.ok() ? 200 : static_cast<uint16_t>(ApiErrorOf(s).http_status);
  // On a worker: the records wait for an fsync, the I/O threads must not.
  net::post(workers_, [this, digests, status] {
    Status a = access_log_->RecordReload("SIGHUP", RequestContext(), *policy_, digests, status);
    if (!a.ok()) Log(spdlog::level::err, "access log: the reload not recorded: " + a.message());
  });
}

void ServerImpl::BeginShutdown() {
  if (service_.draining.exchange(true)) return;
  const std::string m = "shutting down: no new connections, requests in flight finish (at most " +
                        std::to_string(options_.limits.shutdown_drain_ms) + " ms)";
  Log(spdlog::level::info, m);
  beast::error_code ec;
  acceptor_.close(ec);
  signals_.cancel(ec);
  checkpoint_timer_.cancel();
  const std::vector<std::shared_ptr<Session>> live = Live(sessions_);
  for (const auto& s : live) s->CloseIfIdle();
  PollDrain(std::chrono::steady_clock::now() +
            std::chrono::milliseconds(options_.limits.shutdown_drain_ms));
}

void ServerImpl::ForceCloseSessions() {
  const std::vector<std::shared_ptr<Session>> live = Live(sessions_);
  for (const auto& s : live) s->ForceClose();
}

void ServerImpl::PollDrain(std::chrono::steady_clock::time_point deadline) {
  size_t open = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    open = connections_;
  }
  if (open == 0 || std::chrono::steady_clock::now() >= deadline) {
    if (open != 0) {
      Log(spdlog::level::warn, "shutdown: " + std::to_string(open) +
                                   " connections still open after the drain time; closing them");
    }
    ioc_.stop();
    return;
  }
  drain_timer_.expires_after(kDrainPollInterval);
  drain_timer_.async_wait(net::bind_executor(control_, [this, deadline](beast::error_code ec) {
    if (!ec) PollDrain(deadline);
  }));
}

void ServerImpl::ScheduleCheckpoint() {
  checkpoint_timer_.expires_after(kCheckpointPollInterval);
  checkpoint_timer_.async_wait(net::bind_executor(control_, [this](beast::error_code ec) {
    if (ec || draining()) return;
    const ledger::CheckpointFolderOptions defaults;
    const uint64_t head = ledger_->head().seq;
    const auto now = std::chrono::steady_clock::now();
    bool due = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      due = head > checkpoint_head_ &&
            (head - checkpoint_head_ >= defaults.publish_every_events ||
             now - checkpoint_at_ >= std::chrono::seconds(defaults.publish_every_seconds));
    }
    if (due && !publishing_.exchange(true)) {
      net::post(workers_, [this] {
        PublishCheckpoint("interval").IgnoreError();  // logged; the next interval tries again
        publishing_ = false;
      });
    }
    ScheduleCheckpoint();
  }));
}

Status ServerImpl::PublishCheckpoint(const char* why) {
  ledger::CheckpointFolderOptions o;
  o.folder = CheckpointFolderOf(options_);
  ledger::PublishResult result;
  Status s = ledger::PublishCheckpoint(ledger_.get(), o, &result);
  if (!s.ok()) {
    Log(spdlog::level::err,
        std::string("publishing the ledger's checkpoint (") + why + "): " + s.message());
    return s;
  }
  std::lock_guard<std::mutex> lock(mu_);
  checkpoint_head_ = result.tree_size;
  checkpoint_at_ = std::chrono::steady_clock::now();
  return Status::OK();
}

}  // namespace ccl::ledgerd
