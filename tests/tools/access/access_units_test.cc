// Unit tests of who may do what in ledgerd: the policy file with its scopes,
// the tokens file, the scope checks of writes, and the failed-authentication
// limiter; every parser fed malformed input.
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "events/base/limits.h"
#include "tools/access/api_error.h"
#include "tools/access/auth.h"
#include "tools/access/policy.h"
#include "tools/access/scope.h"
#include "tools/access/tokens.h"

namespace ccl::ledgerd {
namespace {

void WriteFile(const std::string& path, const std::string& text) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
}

std::string ParseError(std::string_view text) {
  Policy p;
  Status s = Policy::Parse(text, &p);
  EXPECT_FALSE(s.ok()) << text;
  EXPECT_TRUE(s.IsInvalidArgument()) << text;
  return s.message();
}

TEST(PolicyTest, GrantsTheRolesOfEachLineAndNothingToOthers) {
  Policy p;
  ASSERT_TRUE(Policy::Parse("# team\nalice writer,reader  # both\n\n bob\tauditor\r\n", &p).ok());
  EXPECT_EQ(p.RolesOf("alice"), kRoleWriter | kRoleReader);
  EXPECT_EQ(p.RolesOf("bob"), kRoleAuditor);
  EXPECT_EQ(p.RolesOf("carol"), 0);
  EXPECT_EQ(p.GrantOf("carol"), nullptr);
  EXPECT_TRUE(p.GrantOf("alice")->scope.everything);
  EXPECT_EQ(p.size(), 2u);
}

TEST(PolicyTest, ScopesAreReadFieldByFieldWithQuotes) {
  Policy p;
  ASSERT_TRUE(Policy::Parse("tam reader customer:\"Ministry of Defence\" contract:SC-1 "
                            "customer:Acme\n"
                            "\"time sheets\" writer contract:SC-2 types:HoursBooked,EntryReversed\n"
                            "all auditor *\n"
                            "q reader \"customer:A \\\"B\\\" \\\\ C\"\n",
                            &p)
                  .ok());
  const Scope& tam = p.GrantOf("tam")->scope;
  EXPECT_FALSE(tam.everything);
  EXPECT_EQ(tam.customers, (std::set<std::string, std::less<>>{"Ministry of Defence", "Acme"}));
  EXPECT_EQ(tam.contracts, (std::set<std::string, std::less<>>{"SC-1"}));
  EXPECT_TRUE(tam.AllowsContract("SC-1", ""));
  EXPECT_TRUE(tam.AllowsContract("SC-9", "Acme"));
  EXPECT_FALSE(tam.AllowsContract("SC-9", "Other"));
  EXPECT_FALSE(tam.AllowsContract("", "Acme")) << "ledger-wide events: only *";
  EXPECT_TRUE(tam.AllowsType(events::EventType::kContractClosed));
  const Scope& ts = p.GrantOf("time sheets")->scope;
  EXPECT_TRUE(ts.AllowsType(events::EventType::kHoursBooked));
  EXPECT_TRUE(ts.AllowsType(events::EventType::kEntryReversed));
  EXPECT_FALSE(ts.AllowsType(events::EventType::kContractOpened));
  EXPECT_TRUE(p.GrantOf("all")->scope.everything);
  EXPECT_TRUE(p.GrantOf("all")->scope.AllowsContract("", ""));
  EXPECT_EQ(p.GrantOf("q")->scope.customers.count("A \"B\" \\ C"), 1u);
}

TEST(PolicyTest, MalformedLinesAreRejectedNamingLineAndField) {
  EXPECT_EQ(ParseError("alice writer\nbob superuser\n"),
            "line 2: field 2: unknown role 'superuser' (roles: writer, reader, auditor, admin)");
  EXPECT_EQ(ParseError("alice\n"),
            "line 1: principal 'alice' has no roles (expected '<principal> <role>[,<role>...] "
            "[<scope> ...]')");
  EXPECT_EQ(ParseError("a reader\na writer\n"), "line 2: principal 'a' is named twice");
  EXPECT_EQ(ParseError("a reader writer\n"),
            "line 1: field 3: unknown scope 'writer' (scopes: *, customer:NAME, contract:ID, "
            "types:T[,T...])");
  EXPECT_EQ(ParseError("a reader customer:\"open\n"), "line 1: field 3: a quote is not closed");
  EXPECT_EQ(ParseError("a reader \"x\\n\"\n"),
            "line 1: field 3: a backslash inside quotes escapes only '\"' or '\\'");
  EXPECT_EQ(ParseError("a reader customer:\n"), "line 1: field 3: customer: names nothing");
  EXPECT_EQ(ParseError("a reader contract:\"a b\"\n"),
            "line 1: field 3: contract:'a b' is not a contract id ([A-Za-z0-9._-]{1,64})");
  EXPECT_EQ(ParseError("a writer types:HoursBooked,Nope\n"),
            "line 1: field 3: types: unknown event type 'Nope'");
  EXPECT_EQ(ParseError("a writer types:\n"), "line 1: field 3: types: names no event type");
  EXPECT_EQ(ParseError("a writer types:HoursBooked types:HoursBooked\n"),
            "line 1: field 4: types: given twice");
  // It narrows appends, never reads: on a line of no writer it would mislead.
  EXPECT_EQ(ParseError("a reader,auditor contract:X types:HoursBooked\n"),
            "line 1: field 4: types: narrows what a writer may append, and this line grants no "
            "writer role (a reader reads every type of the contracts its scope reaches)");
  EXPECT_EQ(ParseError("a reader * contract:X\n"), "line 1: field 4: '*' beside another scope");
  EXPECT_EQ(ParseError("a reader contract:X *\n"), "line 1: field 4: '*' beside another scope");
  EXPECT_EQ(ParseError("a reader contract:\x01X\n"), "line 1: field 3: holds a control character");
  EXPECT_EQ(ParseError(std::string(300, 'x') + " reader\n"),
            "line 1: field 1: principal longer than 256 bytes");
  std::string many = "a reader";
  for (size_t i = 0; i <= limits::kServerScopesPerPrincipalMax; ++i) {
    many += " contract:C" + std::to_string(i);
  }
  EXPECT_EQ(ParseError(many + "\n"), "line 1: field " +
                                         std::to_string(limits::kServerScopesPerPrincipalMax + 3) +
                                         ": more than 1024 scopes on one line");
}

TEST(PolicyTest, AByteOrderMarkBeforeTheFirstLineIsSkipped) {
  // Windows editors may begin a UTF-8 file with EF BB BF: line 1's comment
  // is still a comment and its first field still a principal.
  Policy p;
  const Status s = Policy::Parse("\xEF\xBB\xBF# made on Windows\r\nalice reader\r\n", &p);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(p.size(), 1u);
  EXPECT_EQ(p.RolesOf("alice"), kRoleReader);
  ASSERT_TRUE(Policy::Parse("\xEF\xBB\xBF"
                            "bob writer\n",
                            &p)
                  .ok());
  EXPECT_EQ(p.RolesOf("bob"), kRoleWriter);
  // Only at the start of the file: elsewhere it is a principal's bytes.
  ASSERT_TRUE(Policy::Parse("bob writer\n\xEF\xBB\xBF"
                            "carol reader\n",
                            &p)
                  .ok());
  EXPECT_EQ(p.RolesOf("carol"), 0u);
  EXPECT_EQ(p.RolesOf("\xEF\xBB\xBF"
                      "carol"),
            kRoleReader);
}

TEST(PolicyTest, QuotedFieldsReadBackAsWritten) {
  for (const std::string name : {"plain", "two words", "a\"quote", "back\\slash", "#hash", ""}) {
    std::vector<std::string> fields;
    ASSERT_TRUE(SplitPolicyFields(QuotePolicyField(name) + " reader", &fields).ok()) << name;
    ASSERT_EQ(fields.size(), 2u) << name;
    EXPECT_EQ(fields[0], name);
  }
}

TEST(PolicyStoreTest, AFailedReloadOfEitherFileKeepsTheRulesInForce) {
  const std::string policy = ::testing::TempDir() + "/policy_store_test";
  const std::string tokens = ::testing::TempDir() + "/tokens_store_test";
  const std::string hash = TokenHashText("t1");
  WriteFile(policy, "alice reader\n");
  WriteFile(tokens, "alice " + hash + "\n");
  PolicyStore store(policy, tokens);
  ASSERT_TRUE(store.Reload().ok());
  WriteFile(policy, "alice nonsense\n");
  EXPECT_EQ(store.Reload().message(), "policy: " + policy +
                                          ": line 1: field 2: unknown role 'nonsense' (roles: "
                                          "writer, reader, auditor, admin)");
  EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleReader);
  WriteFile(policy, "alice writer\n");
  WriteFile(tokens, "alice sha256:00\n");
  EXPECT_FALSE(store.Reload().ok());
  EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleReader) << "a bad tokens file keeps both";
  EXPECT_EQ(store.Rules()->tokens.PrincipalOf("t1"), "alice");
  WriteFile(tokens, "");
  ASSERT_TRUE(store.Reload().ok());
  EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleWriter);
  EXPECT_EQ(store.Rules()->tokens.PrincipalOf("t1"), "") << "removing the line revokes";
}

TEST(PolicyStoreTest, APolicyThatGrantsNothingIsRefusedAndAnEmptyTokensFileIsNot) {
  const std::string policy = ::testing::TempDir() + "/policy_empty_test";
  const std::string tokens = ::testing::TempDir() + "/tokens_empty_test";
  WriteFile(policy, "alice reader\n");
  WriteFile(tokens, "");
  PolicyStore store(policy, tokens);
  ASSERT_TRUE(store.Reload().ok()) << "no token is a tokens file's state after revoking all";
  for (const std::string text : {"", "\n\n", "# only\n  # comments\n"}) {
    WriteFile(policy, text);
    const Status s = store.Reload();
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_EQ(s.message(), "policy: " + policy +
                               ": grants nothing: the file is empty or holds only comments and "
                               "blank lines (a policy names at least one principal)");
    EXPECT_EQ(store.Get()->RolesOf("alice"), kRoleReader) << "the rules in force stay";
  }
}

TEST(PolicyStoreTest, AReloadGivesTheSha256OfEachFileItRead) {
  const std::string policy = ::testing::TempDir() + "/policy_digest_test";
  const std::string tokens = ::testing::TempDir() + "/tokens_digest_test";
  const std::string tokens_text = "alice " + TokenHashText("t1") + "\n";
  WriteFile(policy, "alice reader\n");
  WriteFile(tokens, tokens_text);
  PolicyStore store(policy, tokens);
  ReloadDigests d;
  ASSERT_TRUE(store.Reload(&d).ok());
  EXPECT_EQ(d.policy, ledger::Sha256("alice reader\n"));
  EXPECT_EQ(d.tokens, ledger::Sha256(tokens_text));
  // A policy that does not parse: both files were still read, and hashed.
  WriteFile(policy, "alice nonsense\n");
  EXPECT_FALSE(store.Reload(&d).ok());
  EXPECT_EQ(d.policy, ledger::Sha256("alice nonsense\n"));
  EXPECT_EQ(d.tokens, ledger::Sha256(tokens_text));
  // A file that cannot be read has no digest; without a tokens file, none.
  std::remove(tokens.c_str());
  EXPECT_FALSE(store.Reload(&d).ok());
  EXPECT_FALSE(d.tokens.has_value());
  PolicyStore no_tokens(policy, "");
  WriteFile(policy, "alice reader\n");
  ASSERT_TRUE(no_tokens.Reload(&d).ok());
  EXPECT_TRUE(d.policy.has_value());
  EXPECT_FALSE(d.tokens.has_value());
}

TEST(TokensTest, NewTokensAre256RandomBitsFoundByTheirHash) {
  std::string a, b;
  ASSERT_TRUE(NewServiceToken(&a).ok());
  ASSERT_TRUE(NewServiceToken(&b).ok());
  EXPECT_EQ(a.size(), 2 * kServiceTokenRandomBytes);
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  TokenTable t;
  ASSERT_TRUE(TokenTable::Parse("# service tokens\nbilling " + TokenHashText(a) +
                                    "  # rotated 2026-01\n\"time sheets\" " + TokenHashText(b) +
                                    "\n",
                                &t)
                  .ok());
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.PrincipalOf(a), "billing");
  EXPECT_EQ(t.PrincipalOf(b), "time sheets");
  std::string wrong = a;
  wrong[10] = wrong[10] == '0' ? '1' : '0';
  EXPECT_EQ(t.PrincipalOf(wrong), "");
  EXPECT_EQ(t.PrincipalOf(a.substr(1)), "");
  EXPECT_EQ(t.PrincipalOf(""), "");
  EXPECT_EQ(t.PrincipalOf(TokenHashText(a)), "") << "the stored hash is not a token";
}

TEST(TokensTest, AByteOrderMarkBeforeTheFirstLineIsSkipped) {
  TokenTable t;
  const Status s =
      TokenTable::Parse("\xEF\xBB\xBF# service tokens\nbilling " + TokenHashText("t1") + "\n", &t);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(t.PrincipalOf("t1"), "billing");
}

TEST(TokensTest, MalformedLinesAreRejectedNamingLineAndField) {
  const std::string h = TokenHashText("x");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"alice\n", "line 1: expected '<principal> sha256:<hex>', got 1 fields"},
      {"alice " + h + " extra\n", "line 1: expected '<principal> sha256:<hex>', got 3 fields"},
      {"alice sha1:" + h.substr(7) + "\n",
       "line 1: field 2: the token's hash must be 'sha256:' and 64 lower-case hex digits"},
      {"alice " + h.substr(0, h.size() - 1) + "\n",
       "line 1: field 2: the token's hash must be 'sha256:' and 64 lower-case hex digits"},
      {"alice sha256:" + std::string(64, 'G') + "\n",
       "line 1: field 2: the token's hash must be 'sha256:' and 64 lower-case hex digits"},
      {"a " + h + "\nb " + h + "\n", "line 2: the same token hash is on an earlier line"},
      {"\"a " + h + "\n", "line 1: field 1: a quote is not closed"},
      {std::string(300, 'p') + " " + h + "\n", "line 1: field 1: principal longer than 256 bytes"},
  };
  for (const auto& [text, message] : cases) {
    TokenTable t;
    Status s = TokenTable::Parse(text, &t);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_EQ(s.message(), message) << text;
  }
}

TEST(AuthFailureLimiterTest, BlocksAnAddressAfterItsFailuresOnly) {
  AuthFailureLimiter limiter(3);
  const auto t0 = AuthFailureLimiter::Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(limiter.Blocked("10.0.0.1", t0));
    limiter.CountFailure("10.0.0.1", t0);
  }
  EXPECT_TRUE(limiter.Blocked("10.0.0.1", t0));
  EXPECT_FALSE(limiter.Blocked("10.0.0.2", t0));
  const auto later = t0 + std::chrono::milliseconds(limits::kServerAuthFailureWindowMs);
  EXPECT_FALSE(limiter.Blocked("10.0.0.1", later)) << "a new window";
}

TEST(AuthenticateTest, TokenCertificateOrNothing) {
  const std::string policy = ::testing::TempDir() + "/auth_policy";
  const std::string tokens = ::testing::TempDir() + "/auth_tokens";
  WriteFile(policy, "svc writer contract:SC-1\ncn reader\n");
  WriteFile(tokens, "svc " + TokenHashText("secret-token") + "\n");
  PolicyStore store(policy, tokens);
  ASSERT_TRUE(store.Reload().ok());
  AuthFailureLimiter limiter(2);
  RequestContext ctx;
  EXPECT_FALSE(Authenticate("", "Bearer secret-token", "ip1", store, &limiter, &ctx));
  EXPECT_EQ(ctx.principal, "svc") << "a token names the principal";
  EXPECT_EQ(ctx.auth_method, AuthMethod::kToken);
  EXPECT_EQ(ctx.roles(), kRoleWriter);
  EXPECT_FALSE(ctx.scope().everything);
  ctx = RequestContext();
  EXPECT_FALSE(Authenticate("svc", "Bearer secret-token", "ip1", store, &limiter, &ctx));
  EXPECT_EQ(ctx.principal, "svc") << "a certificate of the token's principal too";
  // A certificate of another principal beside the token: two identities,
  // neither taken.
  ctx = RequestContext();
  auto two = Authenticate("cn", "Bearer secret-token", "ip3", store, &limiter, &ctx);
  ASSERT_TRUE(two);
  EXPECT_EQ(two->error.http_status, 401u);
  EXPECT_NE(two->error.message.find("two identities"), std::string::npos) << two->error.message;
  EXPECT_TRUE(ctx.principal.empty());
  ctx = RequestContext();
  EXPECT_FALSE(Authenticate("cn", "", "ip1", store, &limiter, &ctx));
  EXPECT_EQ(ctx.principal, "cn");
  EXPECT_EQ(ctx.auth_method, AuthMethod::kCertificate);
  for (const char* header : {"Bearer wrong", "Basic abc", "Bearer "}) {
    ctx = RequestContext();
    auto f = Authenticate("cn", header, "ip2", store, &limiter, &ctx);
    ASSERT_TRUE(f) << header;
    EXPECT_EQ(f->error.http_status, 401u);
    EXPECT_EQ(f->reason.find("wrong"), std::string::npos) << "no credential in the log";
    EXPECT_EQ(ctx.principal, "");
    if (f->error.http_status != 401u) break;
    if (limiter.Blocked("ip2", AuthFailureLimiter::Clock::now())) break;
  }
  auto f = Authenticate("cn", "", "ip2", store, &limiter, &ctx);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error.http_status, 429u) << "blocked, even with a good certificate";
  f = Authenticate("", "", "ip3", store, &limiter, &ctx);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->error.http_status, 401u);
}

// Each Status code answers with its documented HTTP status and error code
// (api_error.h), carrying the message and field of the Status.
TEST(ApiErrorTest, EachStatusCodeHasItsHttpStatusAndCode) {
  struct Case {
    Status status;
    unsigned http_status;
    const char* code;
  };
  const Case cases[] = {
      {Status::InvalidField("contract", "too long"), 400, "invalid_argument"},
      {Status::RuleViolation("r"), 422, "rule_violation"},
      {Status::Conflict("c"), 409, "conflict"},
      {Status::NotFound("n"), 404, "not_found"},
      {Status::Corruption("x"), 500, "corruption"},
      {Status::IOError("i"), 503, "io_error"},
      {Status::Busy("b"), 503, "busy"},
  };
  for (const Case& c : cases) {
    const ApiError e = ApiErrorOf(c.status);
    EXPECT_EQ(e.http_status, c.http_status) << c.code;
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.message, c.status.message()) << c.code;
    EXPECT_EQ(e.field, c.status.field()) << c.code;
  }
  EXPECT_EQ(ApiErrorOf(Status::InvalidField("contract", "too long")).field, "contract");
}

}  // namespace
}  // namespace ccl::ledgerd
