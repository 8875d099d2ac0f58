// The remote variants of the event commands (append, import, log, show) and
// the table of every remote variant: the same options as the local command,
// one call to the server through tools/client, the same output and exit
// codes. The server's error bodies carry the library's Status code and
// message (tools/client/client.h), so an error prints as the local command
// prints it; where the local command names a file and line, the server's line
// of the request body is the file's line (import sends each batch at the
// lines it has in its file).
#include <simdjson.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>

#include "events/base/quote.h"
#include "events/model/json.h"
#include "events/model/uuid.h"
#include "tools/ledgerctl/ledger_io.h"
#include "tools/ledgerctl/remote.h"
#include "tools/net/certificate.h"

namespace ccl::tools {

int RemoteUsage(const char* command, const std::string& what, bool see_help) {
  if (see_help) {
    std::fprintf(stderr, "ledgerctl %s: %s (see ledgerctl %s --help)\n", command, what.c_str(),
                 command);
  } else {
    std::fprintf(stderr, "ledgerctl %s: %s\n", command, what.c_str());
  }
  return kExitUsage;
}

int ConnectToServer(const GlobalOptions& g, const char* command,
                    std::unique_ptr<client::Client>* out) {
  client::ClientOptions o;
  o.url = g.server_url;
  o.cert_file = g.cert_file;
  o.key_file = g.key_file;
  o.ca_file = g.cacert_file;
  Status s = client::Client::Open(o, out);
  if (s.IsInvalidArgument()) return RemoteUsage(command, s.message());
  if (!s.ok()) return Fail(s);
  return kExitOk;
}

QueryString& QueryString::Add(std::string_view name, std::string_view value) {
  text_ += text_.empty() ? '?' : '&';
  text_ += name;
  text_ += '=';
  client::AppendPercentEncoded(value, &text_);
  return *this;
}

Status JsonUnsigned(const client::Client& c, std::string_view json, const char* key,
                    uint64_t* out) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) || root[key].get(*out)) {
    return Status::IOError(c.server() + ": an answer without the number \"" + key +
                           "\": " + events::QuoteForMessage(json));
  }
  return Status::OK();
}

bool JsonTrue(std::string_view json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool value = false;
  return !parser.parse(json).get(root) && !root[key].get(value) && value;
}

std::string JsonString(std::string_view json, const char* key) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  std::string_view value;
  if (parser.parse(json).get(root) || root[key].get(value)) return "";
  return std::string(value);
}

std::string WithoutHash(std::string_view line) {
  // ,"hash":"<64 hex digits>"}
  constexpr std::string_view kKey = ",\"hash\":\"";
  constexpr size_t kTail = kKey.size() + 64 + 2;
  if (line.size() < kTail + 1 || !line.ends_with("\"}") ||
      line.substr(line.size() - kTail, kKey.size()) != kKey) {
    return std::string(line);
  }
  return std::string(line.substr(0, line.size() - kTail)) + "}";
}

namespace {

// ---------------------------------------------------------------- append

// The failure of a request that sent events: the server's Status, its
// message without the server's "line N: " (the local command names the
// line its own way, or not at all).
Status WithoutLine(const Status& s, const client::Client& c) {
  const client::ServerError& e = c.LastServerError();
  if (e.http_status == 0 || !e.line) return s;
  return s.WithMessage(std::string(client::MessageAfterLine(e)));
}

}  // namespace

int RemoteAppend(const po::variables_map& vm, const GlobalOptions& g) {
  // An event without an actor is the principal's, as the server takes it.
  events::Event e;
  Status s = ParseAppendEvent(vm, &e, ccl::net::CertificateFilePrincipal(g.cert_file));
  if (!s.ok()) return Fail(s);
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "append", &c); rc != kExitOk) return rc;
  // The event as parsed, in its canonical import form: the server parses the
  // same event the local command would append.
  std::string body;
  events::JsonOutputOptions form;
  form.assigned_fields = false;
  events::AppendEventJson(e, form, &body);
  body += '\n';
  QueryString q;
  if (vm.count("expected-version")) {
    q.Add("expected_version", std::to_string(vm["expected-version"].as<uint64_t>()))
        .Add("contract", e.contract);
  }
  client::Response r;
  s = c->Post("/v1/events" + q.str(), "application/x-ndjson", body,
              limits::kClientWholeBodyBytesMax, &r);
  if (!s.ok()) return Fail(WithoutLine(s, *c));
  uint64_t appended = 0, seq = 0, version = 0;
  s = JsonUnsigned(*c, r.body, "appended", &appended);
  if (s.ok()) s = JsonUnsigned(*c, r.body, "first_seq", &seq);
  if (!s.ok()) return Fail(s);
  if (g.quiet) return kExitOk;
  // The answer to one event carries its stream version (so that a writer
  // need not read the event back, a reader's right); from a server that
  // does not send it, the line goes without.
  const char* what = appended == 0 ? "duplicate of" : "appended";
  const std::string stream =
      events::IsLedgerWide(e.type) ? std::string("ledger-wide") : "contract " + e.contract;
  const char* pending =
      JsonTrue(r.body, "awaits_approval") ? ", awaits approval (ledgerctl pending)" : "";
  if (!JsonUnsigned(*c, r.body, "stream_version", &version).ok()) {
    std::printf("%s seq %llu (%s)%s\n", what, static_cast<unsigned long long>(seq), stream.c_str(),
                pending);
    return kExitOk;
  }
  std::printf("%s seq %llu (%s, stream version %llu)%s\n", what,
              static_cast<unsigned long long>(seq), stream.c_str(),
              static_cast<unsigned long long>(version), pending);
  return kExitOk;
}

// ---------------------------------------------------------------- import

namespace {

// One input file's events cut into the requests that carry them: each
// request holds whole lines of the file, after as many empty lines as come
// before its first, so the server's line numbers are the file's.
struct ImportBatches {
  std::string text;                 // the file (a UTF-8 byte order mark removed)
  std::vector<std::string> bodies;  // one request body per batch
  std::vector<uint64_t> events;     // events in each
};

Status ReadInput(const std::string& path, std::string* text) {
  if (path == "-") {
    text->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Status::IOError(path + ": cannot open");
    std::ostringstream all;
    all << in.rdbuf();
    if (in.bad()) return Status::IOError(path + ": read failed");
    *text = std::move(all).str();
  }
  if (text->starts_with("\xEF\xBB\xBF")) text->erase(0, 3);
  return Status::OK();
}

// True when the local import would read `text` as JSON Lines (tools/app/import.h).
bool IsJsonLines(const std::string& path, const std::string& text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first != std::string::npos) return text[first] == '{';
  return !path.ends_with(".csv");
}

void CutBatches(uint64_t batch_events, ImportBatches* b) {
  std::string_view rest = b->text;
  uint64_t line = 0, in_batch = 0;
  std::string* body = nullptr;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view text =
        rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(text.size());
    ++line;
    const bool blank = text.find_first_not_of(" \t\r\n") == std::string_view::npos;
    if (blank) {
      if (body != nullptr) *body += '\n';
      continue;
    }
    if (body == nullptr || (batch_events > 0 && in_batch == batch_events)) {
      b->bodies.emplace_back(line - 1, '\n');
      b->events.push_back(0);
      body = &b->bodies.back();
      in_batch = 0;
    }
    *body += text;
    ++in_batch;
    ++b->events.back();
  }
}

// Sends one file's batches; *result counts the committed ones.
Status ImportRemotely(client::Client* c, const std::string& path, const ImportBatches& b,
                      app::ImportResult* result) {
  if (b.bodies.empty()) {
    return app::NoEvents(path == "-" ? "/dev/stdin" : path);
  }
  for (size_t i = 0; i < b.bodies.size(); ++i) {
    client::Response r;
    Status s = c->Post("/v1/events", "application/x-ndjson", b.bodies[i],
                       limits::kClientWholeBodyBytesMax, &r);
    if (!s.ok()) {
      const client::ServerError& e = c->LastServerError();
      if (e.http_status == 0) return s;  // the connection: names the server
      // Named as the local import names the input ("-" is /dev/stdin there).
      s = WithoutLine(s, *c).WithLocation(path == "-" ? "/dev/stdin" : path, e.line.value_or(0));
      // Over the server's events-per-request limit: the way round it here.
      if (e.http_status == 413 && e.code == "limit_exceeded") {
        s = s.WithDetail("(over a server, import --batch N sends N events per request)");
      }
      return s;
    }
    uint64_t appended = 0, duplicates = 0;
    s = JsonUnsigned(*c, r.body, "appended", &appended);
    if (s.ok()) s = JsonUnsigned(*c, r.body, "duplicates", &duplicates);
    if (!s.ok()) return s;
    result->appended += appended;
    result->duplicates += duplicates;
    result->events += appended + duplicates;
    ++result->batches;
  }
  return Status::OK();
}

}  // namespace

int RemoteImport(const po::variables_map& vm, const GlobalOptions& g) {
  const auto& files = vm["files"].as<std::vector<std::string>>();
  const std::string format = OptString(vm, "format");
  const std::string csv_type = OptString(vm, "type");
  if (!format.empty() && format != "jsonl" && format != "csv") {
    return RemoteUsage("import", "option '--format': jsonl or csv");
  }
  std::vector<ImportBatches> inputs(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    Status s = ReadInput(files[i], &inputs[i].text);
    if (!s.ok()) return Fail(s);
  }
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "import", &c); rc != kExitOk) return rc;
  app::ImportResult total;
  for (size_t i = 0; i < files.size(); ++i) {
    app::ImportResult r;
    const auto start = std::chrono::steady_clock::now();
    // The server takes JSON only: CSV goes as JSON Lines on the CSV's lines.
    Status s;
    if (format == "csv" || (format.empty() && !IsJsonLines(files[i], inputs[i].text))) {
      std::string jsonl;
      // A record without an actor is the principal's, as the server takes it.
      s = app::CsvAsJsonLines(inputs[i].text, csv_type, files[i] == "-" ? "/dev/stdin" : files[i],
                              ccl::net::CertificateFilePrincipal(g.cert_file), &jsonl);
      inputs[i].text = std::move(jsonl);
    }
    if (s.ok()) {
      CutBatches(vm["batch"].as<uint64_t>(), &inputs[i]);
      s = ImportRemotely(c.get(), files[i], inputs[i], &r);
    }
    if (!s.ok()) {
      std::fprintf(stderr, "%s\n", s.message().c_str());
      PrintImportStop(files, i, r, "error");
      return ExitCodeFor(s);
    }
    PrintImported(files[i], r, SecondsSince(start), g);
    AddImported(r, &total);
  }
  PrintImportTotal(files.size(), total, g);
  return kExitOk;
}

// ---------------------------------------------------------------- log

namespace {

// A `log --json` line back into the event the table prints: the import form
// through the event parser, the assigned seq and stream version beside it.
Status EventOfLine(const client::Client& c, std::string_view line, events::JsonEventParser* parser,
                   events::Event* e) {
  Status s = parser->Parse(line, e);
  if (!s.ok()) return Status::IOError(c.server() + ": an event the server sent: " + s.message());
  CCL_RETURN_IF_ERROR(JsonUnsigned(c, line, "seq", &e->seq));
  // Assigned, so the parser ignores it; the table shows it.
  e->awaits_approval = JsonTrue(line, "awaits_approval");
  return JsonUnsigned(c, line, "stream_version", &e->stream_version);
}

}  // namespace

void FlushOver(std::string* out, size_t bytes) {
  if (out->size() < bytes) return;
  std::fwrite(out->data(), 1, out->size(), stdout);
  out->clear();
}

int RemoteLog(const po::variables_map& vm, const GlobalOptions& g) {
  LogOptions o;
  if (!ParseLogOptions(vm, &o)) return kExitUsage;
  // Named references, not a structured binding: the lambda below uses them,
  // and capturing a binding needs a newer clang than Debian 12's.
  const uint64_t from = o.from, limit = o.limit;
  const bool json = o.json, with_hash = o.with_hash;
  const std::optional<events::EventType>& type = o.type;
  const std::string& contract = o.contract;
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "log", &c); rc != kExitOk) return rc;

  std::string out = json ? "" : std::string(kLogTableHeader);
  events::JsonEventParser parser;
  events::Event e;
  uint64_t printed = 0, after = from - 1;
  // The server answers at most its row limit per request: page on from the
  // last seq seen until a page is empty.
  for (bool more = true; more && printed < limit;) {
    QueryString q;
    q.Add("after", std::to_string(after));
    if (!contract.empty()) q.Add("contract", contract);
    if (type) q.Add("type", events::EventTypeName(*type));
    more = false;
    Status s = c->GetLines("/v1/events" + q.str(), [&](std::string_view line) -> Status {
      if (printed == limit) return Status::OK();  // the rest of the page is not printed
      CCL_RETURN_IF_ERROR(JsonUnsigned(*c, line, "seq", &after));
      more = true;
      ++printed;
      if (json) {
        if (with_hash) {
          out += line;
        } else {
          out += WithoutHash(line);
        }
        out += '\n';
      } else {
        CCL_RETURN_IF_ERROR(EventOfLine(*c, line, &parser, &e));
        AppendLogTableLine(e, &out);
      }
      FlushOver(&out, 1 << 20);
      return Status::OK();
    });
    if (!s.ok()) {
      // As the local command: rows read before a failure are printed, and
      // nothing when the failure came first (the ledger, or here the
      // server, could not be read at all).
      if (printed > 0) std::fwrite(out.data(), 1, out.size(), stdout);
      return Fail(s);
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

// ---------------------------------------------------------------- show

int RemoteShow(const po::variables_map& vm, const GlobalOptions& g) {
  const std::string key = vm["key"].as<std::string>();
  std::optional<uint64_t> seq;
  events::Uuid id;
  Status not_found;
  if (!ParseShowKey(key, &seq, &id, &not_found)) return kExitUsage;
  if (!not_found.ok()) return Fail(not_found);
  const std::string target =
      seq ? "/v1/events/" + std::to_string(*seq) : "/v1/events/by-id/" + events::FormatUuid(id);
  std::unique_ptr<client::Client> c;
  if (int rc = ConnectToServer(g, "show", &c); rc != kExitOk) return rc;
  client::Response r;
  Status s = c->Get(target, limits::kClientWholeBodyBytesMax, &r);
  if (!s.ok()) return Fail(s);
  const std::string line = vm["no-hash"].as<bool>() ? WithoutHash(r.body) : r.body;
  std::printf("%s\n", PrettyJson(line).c_str());
  return kExitOk;
}

// ---------------------------------------------------------------- the table

RunFunction RemoteVariant(std::string_view name) {
  static constexpr std::pair<std::string_view, RunFunction> kVariants[] = {
      {"append", RemoteAppend},
      {"import", RemoteImport},
      {"log", RemoteLog},
      {"show", RemoteShow},
      {"balance", RemoteBalance},
      {"margin", RemoteMargin},
      {"escalations", RemoteEscalations},
      {"burn", RemoteBurn},
      {"digest", RemoteDigest},
      {"prove", RemoteProve},
      {"tail", RemoteTail},
      {"sink", RunSink},
  };
  for (const auto& [n, run] : kVariants) {
    if (n == name) return run;
  }
  return nullptr;
}

}  // namespace ccl::tools
