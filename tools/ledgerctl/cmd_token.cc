// The service token command: token new.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/access/policy.h"
#include "tools/access/scope.h"
#include "tools/access/tokens.h"
#include "tools/ledgerctl/command.h"

namespace ccl::tools {
namespace {

// Prints a fresh token once, on stdout (for the client system's secret
// store), and the tokens file line that grants it, on stderr; the server
// never sees the token itself, only that line's hash. The line comes only
// after the token was written and flushed: a line for a token nobody
// received would grant access to whoever guesses it, and nobody could use it.
int RunToken(const po::variables_map& vm, const GlobalOptions&) {
  const std::string action = vm["action"].as<std::string>();
  if (action != "new") {
    std::fprintf(stderr,
                 "ledgerctl token: the only action is 'new', got '%s' (see ledgerctl "
                 "token --help)\n",
                 action.c_str());
    return kExitUsage;
  }
  const std::string principal = vm["principal"].as<std::string>();
  Status s = ledgerd::CheckPrincipalName(principal).WithContext("--principal");
  std::string token;
  if (s.ok()) s = ledgerd::NewServiceToken(&token);
  if (!s.ok()) return Fail(s);
  std::printf("%s\n", token.c_str());
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) != 0) {
    const int err = errno;
    return Fail(Status::IOError(std::string("write stdout: ") +
                                (err != 0 ? std::strerror(err) : "the write failed") +
                                ": the token was not given out, so no tokens file line is "
                                "printed; run the command again"));
  }
  std::fprintf(stderr,
               "# add this line to ledgerd's tokens file (--tokens), then send ledgerd SIGHUP:\n"
               "%s %s\n",
               ledgerd::QuotePolicyField(principal).c_str(), ledgerd::TokenHashText(token).c_str());
  return kExitOk;
}

}  // namespace

// clang-format off
void RegisterTokenCommands(CommandTable* table) {
  table->push_back(
      {"token", "token new --principal NAME",
       "make a ledgerd service token: the token on stdout (once), its tokens file line on stderr",
       [](po::options_description* d, po::positional_options_description* p) {
         DefineArgument(d, p, "action", "ACTION", "what to do: new (the only action)");
         d->add_options()
             ("principal", po::value<std::string>()->required()->value_name("NAME"),
              "the principal the token authenticates (its policy line grants the roles)");
       },
       RunToken});
}
// clang-format on

}  // namespace ccl::tools
