// ledgerctl: the command-line front end of the ledger. main() finds the
// command word, parses the global options and the command's own options
// together (so global options may appear before or after the command), sets
// up logging and runs the command. No exception escapes: option errors are
// usage errors (exit 2), anything else unexpected is reported in one line.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "events/base/durable_file.h"
#include "events/base/quote.h"
#include "ledger/audit/checkpoint_folder.h"
#include "tools/app/standard_streams.h"
#include "tools/ledgerctl/checkpoints.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {

int Fail(const Status& s) {
  std::fprintf(stderr, "ledgerctl: %s\n", s.message().c_str());
  return ExitCodeFor(s);
}

const Command* FindCommand(const CommandTable& table, std::string_view name) {
  for (const Command& c : table) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

void DefineArgument(po::options_description* d, po::positional_options_description* p,
                    const char* name, const char* value_name, const char* help) {
  d->add_options()(name, po::value<std::string>()->required()->value_name(value_name), help);
  p->add(name, 1);
}

namespace {

constexpr const char* kDefaultDbPath = "./ledger-db";

GlobalOptions DefaultGlobals() {
  GlobalOptions g;
  const char* env = std::getenv("CCL_DB");
  g.db_path = (env != nullptr && *env != '\0') ? env : kDefaultDbPath;
  g.log_level = "warn";
  return g;
}

// clang-format off
po::options_description GlobalDescription() {
  po::options_description d("Global options");
  d.add_options()
      ("db", po::value<std::string>()->value_name("PATH"),
       "ledger directory (default: $CCL_DB, else ./ledger-db)")
      ("checkpoints", po::value<std::string>()->value_name("DIR"),
       "the ledger's own checkpoint folder (default: <db>.checkpoints)")
      ("quiet,q", po::bool_switch(),
       "only errors and the data asked for: no progress, summary or confirmation")
      ("log-level", po::value<std::string>()->value_name("LEVEL"),
       "diagnostics on stderr: trace, debug, info, warn (default), error, off")
      ("help,h", po::bool_switch(), "show help")
      ("version", po::bool_switch(), "show the version, ledger format, git revision and RocksDB");
  return d;
}
// clang-format on

// The options of a remote run. They come before the command only: after it,
// `--key` and `--server` are options of commands of their own (checkpoint,
// witness, sink). One table serves their help, their parsing
// (TakeServerOption) and their check (CheckServerOptions).
struct ServerOption {
  const char* name;  // without the leading "--"
  const char* value_name;
  const char* help;
  std::string GlobalOptions::*field;
};

constexpr ServerOption kServerOptions[] = {
    {"server", "URL", "run the command against this ledgerd (https://HOST[:PORT]) instead of --db",
     &GlobalOptions::server_url},
    {"cert", "PEM", "this client's certificate", &GlobalOptions::cert_file},
    {"key", "PEM", "its private key", &GlobalOptions::key_file},
    {"cacert", "PEM", "the CA that signed the server's certificate", &GlobalOptions::cacert_file},
};

po::options_description ServerDescription() {
  po::options_description d("Server options (before the command; all four together)");
  for (const ServerOption& o : kServerOptions) {
    d.add_options()(o.name, po::value<std::string>()->value_name(o.value_name), o.help);
  }
  return d;
}

// Global options that take a value: the word after them is not the command.
constexpr std::string_view kGlobalsWithValue[] = {"--db", "--log-level", "--checkpoints"};

bool TakesValue(std::string_view word) {
  for (std::string_view o : kGlobalsWithValue) {
    if (word == o) return true;
  }
  return false;
}

// Words that may come before the command ("--db=PATH" included).
bool IsGlobalOption(std::string_view word) {
  for (std::string_view o : kGlobalsWithValue) {
    if (word == o || (word.starts_with(o) && word.size() > o.size() && word[o.size()] == '=')) {
      return true;
    }
  }
  return word == "--quiet" || word == "-q" || word == "--help" || word == "-h" ||
         word == "--version";
}

void ConfigureLogging(const std::string& level) {
  static bool configured = false;
  if (!configured) {
    auto logger = spdlog::stderr_color_mt("ledgerctl");
    logger->set_pattern("ledgerctl: [%l] %v");
    spdlog::set_default_logger(logger);
    configured = true;
  }
  spdlog::set_level(spdlog::level::from_str(level));
}

std::string CommandList(const CommandTable& table) {
  size_t width = 0;
  for (const Command& c : table) width = std::max(width, c.name.size());
  std::string out;
  for (const Command& c : table) {
    out += "  " + c.name + std::string(width + 2 - c.name.size(), ' ') + c.summary + "\n";
  }
  return out;
}

void PrintGeneralHelp(const CommandTable& table, std::FILE* to) {
  std::ostringstream globals;
  globals << GlobalDescription() << "\n" << ServerDescription();
  std::fprintf(to,
               "usage: ledgerctl [--db PATH] [--quiet] [--log-level LEVEL] COMMAND [ARGS...]\n"
               "       ledgerctl --server URL --cert PEM --key PEM --cacert PEM COMMAND [ARGS...]\n"
               "       ledgerctl COMMAND --help\n\n"
               "An append-only, hash-chained audit ledger of support-contract consumption.\n\n"
               "Commands:\n%s\n%s\n"
               "Exit codes: 0 ok, 1 rejected input or rule, 2 usage, "
               "3 verification failure or corruption, 4 I/O or lock.\n",
               CommandList(table).c_str(), globals.str().c_str());
}

// The largest value an option of `semantic`'s type can hold, or nullopt
// when it is not a numeric option.
std::optional<uint64_t> NumericMax(const po::value_semantic* semantic) {
  if (const auto* bounded = dynamic_cast<const BoundedNumber*>(semantic)) return bounded->max();
  if (dynamic_cast<const po::typed_value<uint64_t>*>(semantic)) return UINT64_MAX;
  if (dynamic_cast<const po::typed_value<uint32_t>*>(semantic)) return UINT32_MAX;
  if (dynamic_cast<const po::typed_value<int64_t>*>(semantic)) return INT64_MAX;
  if (dynamic_cast<const po::typed_value<int32_t>*>(semantic)) return INT32_MAX;
  return std::nullopt;
}

// Every numeric option of every command goes through here before Boost
// converts it: no option takes a negative number, and Boost would turn
// "-1" into 2^64 - 1 for an unsigned one. Plain decimal digits only, within
// the option's type. Returns the one-line complaint, or "" when `text` is fine.
std::string CheckWholeNumber(const std::string& option, const std::string& text, uint64_t max) {
  const std::string what = "option '--" + option + "': ";
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos) {
    if (!text.empty() && text[0] == '-' && text.size() > 1 &&
        text.find_first_not_of("0123456789", 1) == std::string::npos) {
      return what + "must not be negative, got " + events::QuoteForMessage(text);
    }
    return what + "must be a whole number (digits only), got " + events::QuoteForMessage(text);
  }
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) {
    return what + "must be at most " + std::to_string(max) + ", got " +
           events::QuoteForMessage(text);
  }
  return "";
}

std::string CheckNumericOptions(const po::parsed_options& parsed,
                                const po::options_description& all) {
  for (const po::option& o : parsed.options) {
    if (o.unregistered) continue;
    const po::option_description* d = all.find_nothrow(o.string_key, false);
    if (d == nullptr) continue;
    const std::optional<uint64_t> max = NumericMax(d->semantic().get());
    if (!max) continue;
    for (const std::string& text : o.value) {
      std::string complaint = CheckWholeNumber(o.string_key, text, *max);
      if (!complaint.empty()) return complaint;
    }
  }
  return "";
}

// The first option given an empty value, as a usage error, or "". An empty
// value is refused for every option: for a filter such as --contract it
// would otherwise read as "no filter" (a script's unset variable widening a
// report to every contract). Except --conninfo: libpq takes an empty one to
// mean every setting from the PG* environment variables. The advice to leave
// the option out is given only for an option that may be left out.
std::string CheckEmptyValues(const po::parsed_options& parsed, const po::options_description& all) {
  for (const po::option& o : parsed.options) {
    if (o.unregistered || o.position_key != -1 || o.string_key == "conninfo") continue;
    for (const std::string& text : o.value) {
      if (!text.empty()) continue;
      const po::option_description* d = all.find_nothrow(o.string_key, false);
      const bool required = d != nullptr && d->semantic()->is_required();
      return "option '--" + o.string_key + "': must not be empty" +
             (required ? "" : " (leave the option out instead)");
    }
  }
  return "";
}

// The first word of `args` past what `positional` takes, quoted for a
// message: the words left when the options (and their values) are taken out.
std::string FirstExtraArgument(const po::options_description& all,
                               const po::positional_options_description& positional,
                               const std::vector<std::string>& args) {
  try {
    const po::parsed_options parsed =
        po::command_line_parser(args).options(all).allow_unregistered().run();
    const std::vector<std::string> words =
        po::collect_unrecognized(parsed.options, po::include_positional);
    const unsigned taken = positional.max_total_count();
    unsigned seen = 0;
    for (const std::string& w : words) {
      if (w.starts_with("-") && w != "-") continue;  // an unknown option, reported elsewhere
      if (seen++ == taken) return events::QuoteForMessage(w);
    }
  } catch (const po::error&) {
  }
  return "(too many)";
}

// Positional arguments are options inside Boost ("--files"); messages name
// them as the usage does (FILE), never by their internal option name.
std::string UserFacingError(po::error& e, const po::options_description& all,
                            const po::positional_options_description& positional,
                            const std::vector<std::string>& args) {
  if (dynamic_cast<po::too_many_positional_options_error*>(&e) != nullptr) {
    return "unexpected argument " + FirstExtraArgument(all, positional, args);
  }
  auto* named = dynamic_cast<po::error_with_option_name*>(&e);
  if (named == nullptr) return e.what();
  // An unknown option is the user's text, echoed cut like any input.
  if (dynamic_cast<po::unknown_option*>(&e) != nullptr) {
    return "unrecognised option " + events::QuoteForMessage(named->get_option_name());
  }
  std::string option = named->get_option_name();
  if (option.starts_with("--")) option.erase(0, 2);
  bool is_positional = false;
  const unsigned n = std::min(positional.max_total_count(), 16u);
  for (unsigned i = 0; i < n; ++i) is_positional |= positional.name_for_position(i) == option;
  if (!is_positional) return e.what();
  const po::option_description* d = all.find_nothrow(option, false);
  std::string arg = d != nullptr ? d->format_parameter() : option;
  if (arg.empty()) arg = option;
  if (dynamic_cast<po::required_option*>(&e) != nullptr) return "missing argument " + arg;
  if (dynamic_cast<po::multiple_occurrences*>(&e) != nullptr) {
    return "takes only one " + arg + " argument";
  }
  named->set_option_name(arg);
  return e.what();
}

}  // namespace

// Options that name a file (or a folder: witness --state, audit-package --out)
// a command writes. None may point into a ledger's folder or a checkpoint
// folder, this ledger's or any other's: writing there would replace a
// ledger's own files (CURRENT, a MANIFEST, a checkpoint, a key) with a report.
constexpr const char* kOutputFileOptions[] = {"out", "proof-out", "state"};

// Why `path` may not be written beside `g`'s ledger, or "" when it may
// (ledger::CheckOutputOutsideLedger).
std::string OutputInsideTheLedger(const std::string& path, const GlobalOptions& g) {
  const Status s = ledger::CheckOutputOutsideLedger(path, g.db_path, CheckpointFolder(g));
  return s.ok() ? "" : s.message();
}

namespace {

// Parses `args` by the options of `cmd` and the global ones into *vm.
// Returns the exit code when the command is not to run (its help or the
// version printed: 0; a usage error printed: 2), nullopt when it is.
std::optional<int> ParseCommandOptions(const Command& cmd, const std::vector<std::string>& args,
                                       po::variables_map* vm) {
  po::options_description own(cmd.name + " options");
  po::positional_options_description positional;
  if (cmd.define) cmd.define(&own, &positional);
  po::options_description all;
  all.add(own).add(GlobalDescription());
  try {
    po::parsed_options parsed =
        po::command_line_parser(args).options(all).positional(positional).run();
    std::string bad = CheckNumericOptions(parsed, all);
    if (bad.empty()) bad = CheckEmptyValues(parsed, all);
    if (!bad.empty()) {
      std::fprintf(stderr, "ledgerctl %s: %s (see ledgerctl %s --help)\n", cmd.name.c_str(),
                   bad.c_str(), cmd.name.c_str());
      return kExitUsage;
    }
    po::store(parsed, *vm);
    if ((*vm)["help"].as<bool>()) {
      std::ostringstream text;
      text << all;
      std::printf("usage: ledgerctl %s\n%s\n\n%s", cmd.usage.c_str(), cmd.summary.c_str(),
                  text.str().c_str());
      return kExitOk;
    }
    if ((*vm)["version"].as<bool>()) {
      std::fputs(VersionText().c_str(), stdout);
      return kExitOk;
    }
    po::notify(*vm);
  } catch (po::error& e) {
    std::fprintf(stderr, "ledgerctl %s: %s (see ledgerctl %s --help)\n", cmd.name.c_str(),
                 UserFacingError(e, all, positional, args).c_str(), cmd.name.c_str());
    return kExitUsage;
  }
  return std::nullopt;
}

// The global options given in `vm` over `defaults` into *g. Returns the exit
// code of a wrong one, printed (a usage error: 2; an output file inside the
// ledger: 1), nullopt when all are right.
std::optional<int> ApplyGlobalOptions(const Command& cmd, const po::variables_map& vm,
                                      const GlobalOptions& defaults, GlobalOptions* g) {
  *g = defaults;
  if (vm.count("db")) {
    g->db_path = vm["db"].as<std::string>();
    g->db_given = true;
  }
  if (vm.count("checkpoints")) g->checkpoint_dir = vm["checkpoints"].as<std::string>();
  if (vm["quiet"].as<bool>()) g->quiet = true;
  if (vm.count("log-level")) {
    g->log_level = vm["log-level"].as<std::string>();
    // spdlog maps unknown names to "off"; a typo should not silence diagnostics.
    if (spdlog::level::from_str(g->log_level) == spdlog::level::off && g->log_level != "off") {
      std::fprintf(stderr, "ledgerctl: option '--log-level': unknown level %s\n",
                   events::QuoteForMessage(g->log_level).c_str());
      return kExitUsage;
    }
  }
  if (g->db_path.empty()) {
    std::fprintf(stderr, "ledgerctl: option '--db': must not be empty\n");
    return kExitUsage;
  }
  if (!g->checkpoint_dir.empty()) {
    if (Status s = ledger::CheckFolderOutsideLedger(g->checkpoint_dir, g->db_path); !s.ok()) {
      std::fprintf(stderr, "ledgerctl %s: option '--checkpoints': %s\n", cmd.name.c_str(),
                   s.message().c_str());
      return kExitRejected;
    }
  }
  for (const char* option : kOutputFileOptions) {
    if (!vm.count(option)) continue;
    if (std::string bad = OutputInsideTheLedger(vm[option].as<std::string>(), *g); !bad.empty()) {
      std::fprintf(stderr, "ledgerctl %s: option '--%s': %s\n", cmd.name.c_str(), option,
                   bad.c_str());
      return kExitRejected;
    }
  }
  return std::nullopt;
}

}  // namespace

int RunCommand(const CommandTable& table, std::string_view name,
               const std::vector<std::string>& args, const GlobalOptions& defaults) {
  const Command* cmd = FindCommand(table, name);
  if (cmd == nullptr) {
    std::fprintf(stderr, "ledgerctl: unknown command %s (see ledgerctl --help)\n",
                 events::QuoteForMessage(name).c_str());
    return kExitUsage;
  }
  po::variables_map vm;
  if (std::optional<int> rc = ParseCommandOptions(*cmd, args, &vm)) return *rc;
  GlobalOptions g;
  if (std::optional<int> rc = ApplyGlobalOptions(*cmd, vm, defaults, &g)) return *rc;
  ConfigureLogging(g.log_level);
  if (!g.server_url.empty()) {
    const RunFunction remote = RemoteVariant(cmd->name);
    if (remote == nullptr) {
      std::fprintf(stderr,
                   "ledgerctl %s: cannot run against a server (--server); run it where the "
                   "ledger is (see README \"Working with a server\")\n",
                   cmd->name.c_str());
      return kExitUsage;
    }
    return remote(vm, g);
  }
  return cmd->run(vm, g);
}

namespace {

// One of --server, --cert, --key, --cacert ("--server URL" or
// "--server=URL") at argv[i] into *g; *taken is the words it took (0: none of
// them). Returns the usage error, or "".
std::string TakeServerOption(int argc, char** argv, int i, GlobalOptions* g, int* taken) {
  const std::string_view word = argv[i];
  *taken = 0;
  for (const ServerOption& o : kServerOptions) {
    const std::string name = std::string("--") + o.name;
    std::string* field = &(g->*o.field);
    if (word == name) {
      if (i + 1 >= argc) return "option '" + name + "' needs a value";
      *field = argv[i + 1];
      *taken = 2;
    } else if (word.starts_with(name) && word.size() > name.size() && word[name.size()] == '=') {
      *field = word.substr(name.size() + 1);
      *taken = 1;
    } else {
      continue;
    }
    if (field->empty()) return "option '" + name + "' must not be empty";
    return "";
  }
  return "";
}

// All four server options, or none.
std::string CheckServerOptions(const GlobalOptions& g) {
  size_t given = 0;
  for (const ServerOption& o : kServerOptions) given += !(g.*o.field).empty();
  if (given == 0 || given == std::size(kServerOptions)) return "";
  return "options '--server', '--cert', '--key' and '--cacert' go together";
}

// ledgerctl's words split around the command: the command is the first word
// that is neither an option nor the value of a global option; everything
// else is handed to the command's parser.
struct CommandLine {
  std::string command;
  std::vector<std::string> args;
  bool help = false;
  bool version = false;
  std::string unknown;  // the first option before the command that is not a global one
  GlobalOptions globals = DefaultGlobals();
};

// Splits argv into *out. Returns a usage error about the server options, or "".
std::string SplitCommandLine(int argc, char** argv, CommandLine* out) {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (out->command.empty() && !word.empty() && word[0] != '-') {
      out->command = word;
      continue;
    }
    if (out->command.empty()) {
      int taken = 0;
      if (std::string bad = TakeServerOption(argc, argv, i, &out->globals, &taken); !bad.empty()) {
        return bad;
      }
      if (taken > 0) {
        i += taken - 1;
        continue;
      }
      out->help |= word == "--help" || word == "-h";
      out->version |= word == "--version";
      if (out->unknown.empty() && !IsGlobalOption(word)) out->unknown = word;
    }
    out->args.emplace_back(word);
    if (out->command.empty() && TakesValue(word) && i + 1 < argc) {
      out->args.emplace_back(argv[++i]);
    }
  }
  return CheckServerOptions(out->globals);
}

int Main(int argc, char** argv) {
  CommandTable table;
  RegisterLedgerCommands(&table);
  RegisterReportCommands(&table);
  RegisterAuditCommands(&table);
  RegisterBackupCommands(&table);
  RegisterPackageCommands(&table);
  RegisterFeedCommands(&table);
  RegisterSinkCommands(&table);
  RegisterAccessCommands(&table);
  RegisterTokenCommands(&table);

  CommandLine line;
  if (std::string bad = SplitCommandLine(argc, argv, &line); !bad.empty()) {
    std::fprintf(stderr, "ledgerctl: %s (see ledgerctl --help)\n", bad.c_str());
    return kExitUsage;
  }
  if (line.command.empty() && line.version) {
    std::fputs(VersionText().c_str(), stdout);
    return kExitOk;
  }
  if (line.command == "help") {
    if (!line.args.empty() && line.args[0][0] != '-')
      return RunCommand(table, line.args[0], {"--help"}, DefaultGlobals());
    line.help = true;
  }
  if (line.command.empty() || line.help) {
    if (line.help) {
      PrintGeneralHelp(table, stdout);
      return kExitOk;
    }
    if (argc == 1) {
      PrintGeneralHelp(table, stderr);
    } else if (!line.unknown.empty()) {
      std::fprintf(stderr, "ledgerctl: unknown option %s (see ledgerctl --help)\n",
                   events::QuoteForMessage(line.unknown).c_str());
    } else {
      std::fprintf(stderr, "ledgerctl: no command given (see ledgerctl --help)\n");
    }
    return kExitUsage;
  }
  return RunCommand(table, line.command, line.args, line.globals);
}

}  // namespace
}  // namespace ccl::tools

namespace {

// Output a command printed may still sit in stdout's buffer, and a write that
// failed earlier (a full disk, an I/O error) leaves only the stream's error
// flag: a command whose output did not all arrive has failed, whatever it
// returned. (A closed pipe ends the process by SIGPIPE before this.)
int CheckStdout(int rc) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (flushed && std::ferror(stdout) == 0) return rc;
  // A command that failed has said why (a write to stdout among the reasons):
  // one line, not a second about the same write.
  if (rc != ccl::tools::kExitOk) return rc;
  const int err = errno;
  std::fprintf(stderr, "ledgerctl: write stdout: %s\n",
               err != 0 ? std::strerror(err) : "an earlier write failed; the output is incomplete");
  return rc == ccl::tools::kExitOk ? ccl::tools::kExitIO : rc;
}

}  // namespace

int main(int argc, char** argv) {
  if (!ccl::app::GuardStandardStreams()) {
    std::fprintf(stderr, "ledgerctl: a standard stream is closed and /dev/null cannot stand in\n");
    return ccl::tools::kExitIO;
  }
  try {
    return CheckStdout(ccl::tools::Main(argc, argv));
  } catch (const std::exception& e) {
    // Library code reports through Status; reaching here means a bug or an
    // exhausted resource (bad_alloc). One line, never a stack of text.
    std::fprintf(stderr, "ledgerctl: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ledgerctl: internal error\n");
  }
  return ccl::tools::kExitIO;
}
