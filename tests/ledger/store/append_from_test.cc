// Ledger::AppendFrom: one atomic append whose events come in parts, written
// into SST files part by part (every append here takes the bulk path) and
// ingested at the end. What Append of the same events all at once does, it
// must do: rules, duplicates and reversals across parts, errors that name the
// input event; and a rejection anywhere must leave the ledger and its folder
// as they were.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "events/model/uuid.h"
#include "tests/ledger/store/ledger_test_util.h"

namespace ccl::ledger::testing {
namespace {

// Hands over `parts` one by one, then the end.
class PartsSource final : public EventSource {
 public:
  explicit PartsSource(std::vector<std::vector<Event>> parts) : parts_(std::move(parts)) {}
  Status Next(std::span<const Event>* part) override {
    *part =
        next_ < parts_.size() ? std::span<const Event>(parts_[next_]) : std::span<const Event>();
    ++next_;
    return Status::OK();
  }
  size_t calls() const { return next_; }

 private:
  std::vector<std::vector<Event>> parts_;
  size_t next_ = 0;
};

std::vector<Event> Flatten(const std::vector<std::vector<Event>>& parts) {
  std::vector<Event> all;
  for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

// The names of the files in the ledger folder, sub-folders included.
std::set<std::string> FilesIn(const std::string& path) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::recursive_directory_iterator(path)) {
    names.insert(e.path().lexically_relative(path).string());
  }
  return names;
}

class AppendFromTest : public ::testing::Test {
 protected:
  void SetUp() override { ledger_ = OpenAt(path()); }

  std::unique_ptr<Ledger> OpenAt(const std::string& at) {
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    o.bulk_ingest_bytes_min = 1;  // every append takes the bulk path
    std::unique_ptr<Ledger> ledger;
    Status s = Ledger::Open(o, at, &ledger);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return ledger;
  }
  std::string path() const { return dir_.Sub("db"); }
  void MustAppend(const std::vector<Event>& batch) {
    AppendResult r;
    Status s = ledger_->Append(batch, AppendOptions(), &r);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  void ExpectVerifies(Ledger* ledger, uint64_t events) {
    VerifyReport report;
    Status s = ledger->Verify(VerifyProgress(), &report);
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(report.events, events);
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
  std::unique_ptr<Ledger> ledger_;
};

// A rule broken by the last event of the last part: nothing of any part is
// written, no file of the append stays in the ledger folder, the ledger
// verifies as before and takes the next append.
TEST_F(AppendFromTest, RejectedEventInTheLastPartLeavesTheLedgerAsItWas) {
  MustAppend({f_.Open("C1"), f_.Book("C1", ServiceLine::kReactive, 10)});
  const Head before = ledger_->head();
  const std::set<std::string> files = FilesIn(path());
  std::vector<std::vector<Event>> parts(3);
  for (auto& p : parts) {
    for (int i = 0; i < 4; ++i) p.push_back(f_.Book("C1", ServiceLine::kReactive, 5));
  }
  const Event bad = f_.Book("C9", ServiceLine::kReactive, 5);  // no such contract
  parts.back().push_back(bad);
  PartsSource source(parts);
  AppendResult r;
  Status s = ledger_->AppendFrom(&source, AppendOptions(), &r);
  EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
  EXPECT_EQ(s.message().rfind("event " + events::FormatUuid(bad.event_id) + ": ", 0), 0u)
      << s.message();
  EXPECT_EQ(r.failed_index, 12u);  // counted from the input's first event
  EXPECT_TRUE(r.outcomes.empty());
  EXPECT_EQ(source.calls(), 3u);  // parts were taken one after another
  EXPECT_EQ(ledger_->head().seq, before.seq);
  EXPECT_EQ(ledger_->head().hash, before.hash);
  EXPECT_EQ(FilesIn(path()), files);
  ExpectVerifies(ledger_.get(), before.seq);

  parts.back().pop_back();
  PartsSource good(parts);
  s = ledger_->AppendFrom(&good, AppendOptions(), &r);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(r.appended, 12u);
  EXPECT_EQ(ledger_->head().seq, before.seq + 12);
  EXPECT_FALSE(std::filesystem::exists(path() + "/ccl-ingest"));
  ExpectVerifies(ledger_.get(), before.seq + 12);
  ledger_.reset();
  ledger_ = OpenAt(path());
  ExpectVerifies(ledger_.get(), before.seq + 12);
}

// A source's own error (a line that does not parse, mid-input) ends the
// append the same way, its status passed through as it is.
TEST_F(AppendFromTest, SourceErrorWritesNothing) {
  class Failing final : public EventSource {
   public:
    explicit Failing(std::vector<Event> first) : first_(std::move(first)) {}
    Status Next(std::span<const Event>* part) override {
      if (calls_++ == 0) {
        *part = first_;
        return Status::OK();
      }
      *part = {};
      return Status::InvalidArgument("bad line").WithLocation("in.jsonl", 7);
    }

   private:
    std::vector<Event> first_;
    int calls_ = 0;
  };
  MustAppend({f_.Open("C1")});
  const std::set<std::string> files = FilesIn(path());
  Failing source({f_.Book("C1", ServiceLine::kReactive, 5)});
  AppendResult r;
  Status s = ledger_->AppendFrom(&source, AppendOptions(), &r);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.line(), 7u);
  EXPECT_EQ(r.failed_index, SIZE_MAX);
  EXPECT_EQ(ledger_->head().seq, 1u);
  EXPECT_EQ(FilesIn(path()), files);
}

// Duplicates of events of earlier parts, and reversals of them, as Append
// of the whole input at once treats them: same outcomes, same stream, and
// the ledger verifies (the `streams` and `ids` rows were written right).
TEST_F(AppendFromTest, DuplicatesAndReversalsAcrossPartsAsOneAppend) {
  const Event open = f_.Open("C1");
  const Event a = f_.Book("C1", ServiceLine::kReactive, 30);
  const Event b = f_.Deliver("C1", ServiceLine::kProactive, 60);
  const Event other = f_.Open("C2");
  std::vector<std::vector<Event>> parts = {
      {open, a, other, b},
      {a, f_.Reverse("C1", a.event_id), f_.Book("C2", ServiceLine::kReactive, 5)},
      {b, f_.Reverse("C1", b.event_id), open},
  };
  PartsSource source(parts);
  AppendResult from;
  Status s = ledger_->AppendFrom(&source, AppendOptions(), &from);
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto whole = OpenAt(dir_.Sub("whole"));
  AppendResult at_once;
  s = whole->Append(Flatten(parts), AppendOptions(), &at_once);
  ASSERT_TRUE(s.ok()) << s.ToString();

  EXPECT_EQ(from.appended, 7u);
  EXPECT_EQ(from.duplicates, 3u);
  EXPECT_EQ(from.appended, at_once.appended);
  EXPECT_EQ(from.duplicates, at_once.duplicates);
  ASSERT_EQ(from.outcomes.size(), at_once.outcomes.size());
  for (size_t i = 0; i < from.outcomes.size(); ++i) {
    EXPECT_EQ(from.outcomes[i].seq, at_once.outcomes[i].seq) << i;
    EXPECT_EQ(from.outcomes[i].duplicate, at_once.outcomes[i].duplicate) << i;
    EXPECT_EQ(from.outcomes[i].stream_version, at_once.outcomes[i].stream_version) << i;
    // A new event's outcome carries the stream version it was stored with.
    Event stored;
    ASSERT_TRUE(ledger_->Get(from.outcomes[i].seq, &stored).ok()) << i;
    EXPECT_EQ(from.outcomes[i].stream_version,
              from.outcomes[i].duplicate ? 0u : stored.stream_version)
        << i;
  }
  EXPECT_TRUE(from.outcomes[4].duplicate);
  EXPECT_EQ(from.outcomes[4].seq, 2u);  // a's seq
  for (const char* contract : {"C1", "C2"}) {
    uint64_t v1 = 0, v2 = 0;
    ASSERT_TRUE(ledger_->StreamVersion(contract, &v1).ok());
    ASSERT_TRUE(whole->StreamVersion(contract, &v2).ok());
    EXPECT_EQ(v1, v2) << contract;
  }
  {
    std::unique_ptr<EventIterator> c1 = ledger_->NewStreamIterator("C1");
    size_t n = 0;
    for (; c1->Valid(); c1->Next()) ++n;
    EXPECT_TRUE(c1->status().ok());
    EXPECT_EQ(n, 5u);  // open, a, b and the two reversals
  }
  ExpectVerifies(ledger_.get(), 7);
  ledger_.reset();
  ledger_ = OpenAt(path());
  ExpectVerifies(ledger_.get(), 7);
}

// A second reversal of a target reversed in an earlier part, and an event id
// reused with other content across parts: rejected, naming the first use by
// its input index (it has no seq: nothing was written).
TEST_F(AppendFromTest, ConflictsAcrossPartsNameTheFirstUse) {
  MustAppend({f_.Open("C1")});
  const Event a = f_.Book("C1", ServiceLine::kReactive, 30);
  {
    PartsSource source({{a, f_.Reverse("C1", a.event_id)}, {f_.Reverse("C1", a.event_id)}});
    AppendResult r;
    Status s = ledger_->AppendFrom(&source, AppendOptions(), &r);
    EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
    EXPECT_EQ(r.failed_index, 2u);
    EXPECT_EQ(r.first_use_index, 1u);
  }
  {
    Event reused = f_.Book("C1", ServiceLine::kReactive, 45);
    reused.event_id = a.event_id;
    PartsSource source({{a}, {f_.Book("C1", ServiceLine::kReactive, 1)}, {reused}});
    AppendResult r;
    Status s = ledger_->AppendFrom(&source, AppendOptions(), &r);
    EXPECT_TRUE(s.IsConflict()) << s.ToString();
    EXPECT_EQ(r.failed_index, 2u);
    EXPECT_EQ(r.first_use_index, 0u);
  }
  EXPECT_EQ(ledger_->head().seq, 1u);
  ExpectVerifies(ledger_.get(), 1);
}

// Appends from other threads meanwhile go before or after it, never inside:
// its events get consecutive seqs, every append is acknowledged and kept.
TEST_F(AppendFromTest, ConcurrentAppendsGoBeforeOrAfterItNeverInside) {
  MustAppend({f_.Open("C1"), f_.Open("C2")});
  std::vector<std::vector<Event>> parts(5);
  for (auto& p : parts) {
    for (int i = 0; i < 20; ++i) p.push_back(f_.Book("C1", ServiceLine::kReactive, 1));
  }
  constexpr int kThreads = 3, kEach = 10;
  std::vector<Event> singles;  // made here: the factory is not thread-safe
  for (int i = 0; i < kThreads * kEach; ++i) {
    singles.push_back(f_.Book("C2", ServiceLine::kReactive, 1));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        AppendResult r;
        if (!ledger_->Append({&singles[t * kEach + i], 1}, AppendOptions(), &r).ok()) ++failures;
      }
    });
  }
  PartsSource source(parts);
  AppendResult r;
  Status s = ledger_->AppendFrom(&source, AppendOptions(), &r);
  for (auto& thread : threads) thread.join();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_EQ(r.outcomes.size(), 100u);
  for (size_t i = 1; i < r.outcomes.size(); ++i) {
    EXPECT_EQ(r.outcomes[i].seq, r.outcomes[0].seq + i) << i;
  }
  EXPECT_EQ(ledger_->head().seq, 2u + 100 + kThreads * kEach);
  ExpectVerifies(ledger_.get(), 2 + 100 + kThreads * kEach);
}

// Expected versions are not taken with parts; nothing is read from the source.
TEST_F(AppendFromTest, ExpectedVersionsAreRefused) {
  PartsSource source({{f_.Open("C1")}});
  AppendOptions options;
  options.expected_versions.emplace_back("C1", 0);
  AppendResult r;
  EXPECT_TRUE(ledger_->AppendFrom(&source, options, &r).IsInvalidArgument());
  EXPECT_EQ(source.calls(), 0u);
}

}  // namespace
}  // namespace ccl::ledger::testing
