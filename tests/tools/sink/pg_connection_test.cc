// PgConnection (tools/sink/pg_connection.h) against a real PostgreSQL server
// the test starts (tools/pg_server.sh): transactions and COPY in steps.
#include "tools/sink/pg_connection.h"

#include "tests/tools/sink/sink_test_util.h"

namespace ccl::sink {
namespace {

class PgConnectionTest : public testing::PostgresServerTest {
 protected:
  void SetUp() override {
    PostgresServerTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    ASSERT_TRUE(PgConnection::Connect(server_->conninfo(), &db_).ok());
    ASSERT_TRUE(db_->Exec("DROP TABLE IF EXISTS t; CREATE TABLE t (a text)").ok());
  }
  uint64_t Rows() {
    std::vector<PgConnection::Row> rows;
    EXPECT_TRUE(db_->Query("SELECT count(*) FROM t", &rows).ok());
    return rows.size() == 1 && rows[0][0].has_value() ? std::stoull(*rows[0][0]) : 0;
  }

  std::unique_ptr<PgConnection> db_;
};

TEST_F(PgConnectionTest, CopyInStepsWritesWhatEachStepSent) {
  ASSERT_TRUE(db_->BeginCopyIn("COPY t (a) FROM STDIN").ok());
  ASSERT_TRUE(db_->PutCopyData("x\ny").ok());  // a row may span two pieces
  ASSERT_TRUE(db_->PutCopyData("z\n").ok());
  ASSERT_TRUE(db_->EndCopyIn().ok());
  std::vector<PgConnection::Row> rows;
  ASSERT_TRUE(db_->Query("SELECT a FROM t", &rows).ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(*rows[1][0], "yz");
}

// A producer that fails half-way leaves its COPY unfinished: the
// transaction rolls back, rows sent included, and the connection takes the
// next statement.
TEST_F(PgConnectionTest, UnfinishedCopyRollsBackWithItsTransaction) {
  const Status s = db_->InTransaction([&]() -> Status {
    CCL_RETURN_IF_ERROR(db_->Exec("INSERT INTO t VALUES ('before')"));
    CCL_RETURN_IF_ERROR(db_->BeginCopyIn("COPY t (a) FROM STDIN"));
    CCL_RETURN_IF_ERROR(db_->PutCopyData("one\ntw"));
    return Status::Corruption("the producer failed");
  });
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_EQ(Rows(), 0u);
  ASSERT_TRUE(db_->Exec("INSERT INTO t VALUES ('after')").ok());
  EXPECT_EQ(Rows(), 1u);
}

TEST_F(PgConnectionTest, InTransactionCommitsOnlyWhenTheBodySucceeds) {
  EXPECT_TRUE(db_->InTransaction([&] { return db_->Exec("INSERT INTO t VALUES ('a')"); }).ok());
  const Status failed = db_->InTransaction([&] {
    CCL_RETURN_IF_ERROR(db_->Exec("INSERT INTO t VALUES ('b')"));
    return db_->Exec("INSERT INTO t VALUES ('c', 'one value too many')");
  });
  EXPECT_TRUE(failed.IsInvalidArgument()) << failed.ToString();
  EXPECT_EQ(Rows(), 1u);
}

// A connection string libpq cannot parse is bad input, not an unreachable
// server; libpq's messages read on one line (no line break or tab).
TEST(PgConnectionErrorsTest, AStringThatDoesNotParseIsInvalidArgument) {
  std::unique_ptr<PgConnection> c;
  Status s = PgConnection::Connect("garbage===", &c);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), "connection string: invalid connection option \"garbage\"");
  s = PgConnection::Connect("host=/nonexistent/ccl-test dbname=x connect_timeout=2", &c);
  EXPECT_TRUE(s.IsIOError()) << s.ToString();
  EXPECT_EQ(s.message().find_first_of("\n\t"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("/nonexistent/ccl-test"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace ccl::sink
