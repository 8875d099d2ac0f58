// ledgerctl's checkpoint input and ECDSA keys, run as a user would
// (cli_fixture.h): a checkpoint that does not parse names its file, and
// ECDSA P-256 keys sign digests and checkpoints as Ed25519 keys do.
#include <string>

#include "tests/ledger/audit/cli_fixture.h"

namespace ccl::ledger {
namespace {

// A checkpoint, trusted-keys or log-key file that does not parse is rejected
// input (exit 1) naming the file, as a digest or proof that does not parse
// is; exit 3 stays for a note that parses and does not check.
TEST_F(AuditCliTest, ACheckpointInputThatDoesNotParseIsExitOneNamingTheFile) {
  const std::string db = "--db " + Tmp("db") + " ";
  ASSERT_EQ(Ledgerctl("generate --contracts 1 --days 5 --seed 3 --out " + Tmp("w.jsonl")).code, 0);
  ASSERT_EQ(Ledgerctl(db + "init").code, 0);
  ASSERT_EQ(Ledgerctl(db + "import " + Tmp("w.jsonl")).code, 0);
  for (const char* k : {"log", "w1", "stranger"})
    ASSERT_EQ(Ledgerctl("keygen -q --out " + Tmp(k)).code, 0);
  CliRun r = Ledgerctl("vkey --key " + Tmp("log.pub") + " --name example.com/log");
  ASSERT_EQ(r.code, 0) << r.out;
  WriteFile(Tmp("log.vkey"), r.out);
  WriteFile(Tmp("trusted"), r.out);
  ASSERT_EQ(Ledgerctl(db + "checkpoint --key " + Tmp("log") + " --origin example.com/log --out " +
                      Tmp("cp"))
                .code,
            0);
  ASSERT_EQ(Ledgerctl(db + "checkpoint --key " + Tmp("stranger") +
                      " --origin example.com/log --out " + Tmp("cp-stranger"))
                .code,
            0);
  const std::string good = ReadFile(Tmp("cp"));
  WriteFile(Tmp("garbage"), "garbage\n");
  WriteFile(Tmp("empty"), "");
  WriteFile(Tmp("truncated"), good.substr(0, good.size() / 2));
  const std::string witness = " --state " + Tmp("state") + " --key " + Tmp("w1") +
                              " --name w1.example --out " + Tmp("cosigned");
  const std::string against = db + "verify --quorum 0 --against ";
  for (const char* bad : {"garbage", "empty", "truncated"}) {
    r = Ledgerctl("witness " + Tmp(bad) + " --log-key " + Tmp("log.vkey") + witness);
    EXPECT_EQ(r.code, 1) << bad << ": " << r.out;
    EXPECT_NE(r.out.find(Tmp(bad)), std::string::npos) << r.out;
    r = Ledgerctl("witness " + Tmp("cp") + " --log-key " + Tmp(bad) + witness);
    EXPECT_EQ(r.code, 1) << bad << ": " << r.out;
    EXPECT_NE(r.out.find(Tmp(bad)), std::string::npos) << r.out;
    r = Ledgerctl(against + Tmp(bad) + " --trusted-keys " + Tmp("trusted"));
    EXPECT_EQ(r.code, 1) << bad << ": " << r.out;
    EXPECT_NE(r.out.find(Tmp(bad)), std::string::npos) << r.out;
  }
  r = Ledgerctl(against + Tmp("cp") + " --trusted-keys " + Tmp("garbage"));
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find(Tmp("garbage")), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(Tmp("cosigned")));
  // Well-formed but signed by a key nobody trusts: a failed check.
  EXPECT_EQ(
      Ledgerctl("witness " + Tmp("cp-stranger") + " --log-key " + Tmp("log.vkey") + witness).code,
      3);
  EXPECT_EQ(Ledgerctl(against + Tmp("cp-stranger") + " --trusted-keys " + Tmp("trusted")).code, 3);
  r = Ledgerctl("witness " + Tmp("cp") + " --log-key " + Tmp("log.vkey") + witness);
  EXPECT_EQ(r.code, 0) << r.out;
}

// ECDSA P-256 keys, chosen at keygen, sign digests and checkpoints alike.
TEST_F(AuditCliTest, EcdsaKeysSignDigestsAndCheckpoints) {
  const std::string db = "--db " + Tmp("db") + " ";
  EXPECT_EQ(Ledgerctl("keygen --algorithm rsa --out " + Tmp("rsa")).code, 2);
  ASSERT_EQ(Ledgerctl("keygen -q --algorithm ecdsa-p256 --out " + Tmp("k")).code, 0);
  ASSERT_EQ(Ledgerctl("generate --contracts 1 --days 10 --seed 3 --out " + Tmp("w.jsonl")).code, 0);
  ASSERT_EQ(Ledgerctl(db + "init").code, 0);
  ASSERT_EQ(Ledgerctl(db + "import " + Tmp("w.jsonl")).code, 0);
  CliRun r = Ledgerctl(db + "digest --sign " + Tmp("k") + " --out " + Tmp("d.json"));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(ReadFile(Tmp("d.json")).find("ecdsa-p256-sha256"), std::string::npos);
  r = Ledgerctl(db + "verify --against " + Tmp("d.json") + " --pubkey " + Tmp("k.pub"));
  EXPECT_EQ(r.code, 0) << r.out;
  r = Ledgerctl(db + "checkpoint --key " + Tmp("k") + " --origin fips.example/log --out " +
                Tmp("c"));
  ASSERT_EQ(r.code, 0) << r.out;
  r = Ledgerctl("vkey --key " + Tmp("k.pub") + " --name fips.example/log");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("fips.example/log+"), 0u) << r.out;
  WriteFile(Tmp("trusted"), r.out);
  r = Ledgerctl(db + "verify --against " + Tmp("c") + " --trusted-keys " + Tmp("trusted") +
                " --quorum 0");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Ledgerctl("vkey --cosigner --key " + Tmp("k.pub") + " --name w").code, 2);
}

}  // namespace
}  // namespace ccl::ledger
