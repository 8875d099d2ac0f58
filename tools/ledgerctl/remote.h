// What the remote variants of the commands (cmd_remote*.cc) share: the
// connection to the server of --server, the errors of a call as the local
// command prints them, and fields of the server's JSON answers. Internal to
// ledgerctl.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "events/base/status.h"
#include "tools/client/client.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

// A client of g's server. A malformed --server is a usage error (exit 2,
// printed); an unreadable certificate, key or CA file is an I/O error (exit
// 4, printed). Returns kExitOk when *out is set.
int ConnectToServer(const GlobalOptions& g, const char* command,
                    std::unique_ptr<client::Client>* out);

// A usage error of a command run remotely: one line naming the command, exit
// 2; with `see_help`, ending as the local command's does in "(see ledgerctl
// COMMAND --help)".
int RemoteUsage(const char* command, const std::string& what, bool see_help = false);

// "?name=value&..." built one parameter at a time, values percent-encoded.
class QueryString {
 public:
  QueryString& Add(std::string_view name, std::string_view value);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
};

// The unsigned integer `key` of the JSON object `json`; a server answer
// without it is an IOError naming the server.
Status JsonUnsigned(const client::Client& c, std::string_view json, const char* key, uint64_t* out);
// The string `key` of the JSON object `json`; "" when it is absent.
std::string JsonString(std::string_view json, const char* key);
// Whether `json` is an object whose `key` is true (absent or else: false).
bool JsonTrue(std::string_view json, const char* key);

// Writes *out to stdout and clears it once it holds `bytes` or more: output
// streamed in large writes.
void FlushOver(std::string* out, size_t bytes);

// An event's `log --json` line without its chain hash (the last key, as
// events::AppendEventJson places it); the line as is when it has none.
std::string WithoutHash(std::string_view line);

// The remote variants, found by RemoteVariant (command.h), each a
// Command::run: events commands in cmd_remote.cc, reports and audit files in
// cmd_remote_reads.cc, tail in cmd_remote_tail.cc.
RunSignature RemoteLog, RemoteShow, RemoteAppend, RemoteImport;
RunSignature RemoteBalance, RemoteMargin, RemoteEscalations, RemoteBurn, RemoteDigest, RemoteProve;
RunSignature RemoteTail;
// `sink postgres`, local or remote alike: with g.server_url it reads that
// server's feed, as with the sink's own --server (cmd_sink.cc).
RunSignature RunSink;

}  // namespace ccl::tools
