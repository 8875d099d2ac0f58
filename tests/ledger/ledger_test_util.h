// Test helpers for the ledger: a temporary folder, a settable clock, a
// factory of valid events (built in C++, not parsed from JSON), and direct
// RocksDB access for corrupting a closed ledger.
#pragma once

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/time_format.h"
#include "events/uuid.h"
#include "ledger/keys.h"
#include "ledger/ledger.h"

namespace ccl::ledger::testing {

using events::Event;
using events::EventType;
using events::Overage;
using events::ServiceLine;

// A fresh folder under $TMPDIR, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string t = (std::filesystem::temp_directory_path() / "ccl-ledger-test-XXXXXX").string();
    if (mkdtemp(t.data()) == nullptr) std::abort();
    path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(int64_t now_ns) : now_ns_(now_ns) {}
  int64_t NowNs() override { return now_ns_.load(); }
  void Set(int64_t ns) { now_ns_.store(ns); }
  void Advance(int64_t ns) { now_ns_.fetch_add(ns); }

 private:
  std::atomic<int64_t> now_ns_;
};

inline int32_t Day(const char* date) {
  int32_t d = 0;
  if (!events::ParseDate(date, &d).ok()) std::abort();
  return d;
}

inline int64_t At(const char* instant) {
  int64_t ns = 0;
  if (!events::ParseInstant(instant, &ns).ok()) std::abort();
  return ns;
}

// Valid events with unique ids (a counter, so ids are reproducible).
class EventFactory {
 public:
  events::Uuid NextId() {
    events::Uuid id{};
    const uint64_t n = ++counter_;
    for (int i = 0; i < 8; ++i) id[15 - i] = static_cast<uint8_t>(n >> (8 * i));
    id[0] = 0xcc;
    id[6] = 0x40;  // version 4
    id[8] = 0x80;  // RFC 4122 variant
    return id;
  }

  Event Base(EventType t, const std::string& contract, const char* effective_at) {
    Event e;
    e.type = t;
    e.event_id = NextId();
    e.contract = contract;
    e.effective_at_ns = At(effective_at);
    e.actor = "tester";
    e.source = "ledger-test";
    return e;
  }

  // Term 2026-01-01..2026-12-31; proactive 6000 min, reject, 25000/h;
  // reactive 12000 min, allow, 30000/h.
  Event Open(const std::string& contract, const char* at = "2026-01-01") {
    Event e = Base(EventType::kContractOpened, contract, at);
    e.customer = "Department of Examples";
    e.term_start_day = Day("2026-01-01");
    e.term_end_day = Day("2026-12-31");
    e.currency = "USD";
    e.lines = {
        {ServiceLine::kProactive, 6000, 0, 25000, Overage::kReject},
        {ServiceLine::kReactive, 12000, 0, 30000, Overage::kAllow},
    };
    return e;
  }

  Event Book(const std::string& contract, ServiceLine line, int32_t minutes,
             const char* at = "2026-03-15T10:00:00Z") {
    Event e = Base(EventType::kHoursBooked, contract, at);
    e.engineer = "bob";
    e.service_line = line;
    e.minutes = minutes;
    e.cost_rate_minor = 12000;
    return e;
  }

  Event Deliver(const std::string& contract, ServiceLine line, int32_t minutes,
                const char* at = "2026-03-16") {
    Event e = Base(EventType::kDeliveryCompleted, contract, at);
    e.delivery = "D-1";
    e.offering = "Active Directory Security Assessment";
    e.service_line = line;
    e.minutes = minutes;
    e.cost_minor = 100000;
    return e;
  }

  Event Amend(const std::string& contract, std::vector<events::ContractLine> lines,
              const char* at = "2026-06-01") {
    Event e = Base(EventType::kContractAmended, contract, at);
    e.reason = "change";
    e.lines = std::move(lines);
    return e;
  }

  Event Escalation(EventType t, const std::string& contract, const std::string& id,
                   events::Severity severity = events::Severity::kA) {
    Event e = Base(t, contract, "2026-04-01T08:00:00Z");
    e.escalation = id;
    if (t == EventType::kEscalationOpened) {
      e.severity = severity;
      e.summary = "outage";
    } else if (t == EventType::kEscalationSeverityChanged) {
      e.severity = severity;
    } else {
      e.resolution = "fixed";
    }
    return e;
  }

  // Effective at or after its target (a time-order rule).
  Event Reverse(const std::string& contract, const events::Uuid& target,
                const char* at = "2026-03-20") {
    Event e = Base(EventType::kEntryReversed, contract, at);
    e.target_event_id = target;
    e.reason = "booked twice";
    return e;
  }

  Event Close(const std::string& contract) {
    Event e = Base(EventType::kContractClosed, contract, "2026-12-31");
    e.reason = "term ended";
    return e;
  }

  // A legal hold of `legal_case` placed (or released) on `contract`.
  Event Hold(EventType t, const std::string& contract, const std::string& legal_case,
             const char* at = "2026-06-01") {
    Event e = Base(t, contract, at);
    e.legal_case = legal_case;
    e.reason = t == EventType::kLegalHoldPlaced ? "litigation" : "settled";
    return e;
  }

  // A ledger-wide ApprovalPolicySet listing `types` (EventTypeBit each).
  Event Policy(uint32_t types, std::optional<int64_t> threshold_minutes = std::nullopt,
               const char* at = "2026-01-01") {
    Event e = Base(EventType::kApprovalPolicySet, "", at);
    e.approval_types = types;
    e.threshold_minutes = threshold_minutes;
    return e;
  }

  // An Approved (or, with a reason, a Rejected) of `target` by `actor`, in
  // the target's stream.
  Event Decide(const Event& target, const std::string& actor, const std::string& reason = "",
               const char* at = "2026-06-15") {
    Event e =
        Base(reason.empty() ? EventType::kApproved : EventType::kRejected, target.contract, at);
    e.target_event_id = target.event_id;
    e.actor = actor;
    e.reason = reason;
    return e;
  }

  // A ledger-wide PeriodReopened of `period`, effective at `at`.
  Event ReopenPeriod(const char* period, const char* at) {
    Event e = Base(EventType::kPeriodReopened, "", at);
    EXPECT_TRUE(events::ParseMonth(period, &e.period_month).ok()) << period;
    e.reason = "late invoice";
    return e;
  }

  // A ledger-wide PeriodClosed of `period` ("2026-03"), effective at `at`.
  Event ClosePeriod(const char* period, const char* at) {
    Event e = Base(EventType::kPeriodClosed, "", at);
    EXPECT_TRUE(events::ParseMonth(period, &e.period_month).ok()) << period;
    return e;
  }

 private:
  uint64_t counter_ = 0;
};

// An amendment line: delta on an existing line, optional new rate / overage.
inline events::ContractLine AmendLine(ServiceLine line, int64_t delta,
                                      std::optional<int64_t> rate = std::nullopt,
                                      Overage overage = Overage::kUnset) {
  events::ContractLine l;
  l.service_line = line;
  l.funded_minutes_delta = delta;
  l.bill_rate_minor = rate;
  l.overage = overage;
  return l;
}

// Direct access to a CLOSED ledger's RocksDB, to damage it the way a bug or
// a tamperer would. Opens every column family with default options.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    rocksdb::DBOptions o;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (int i = 0; i < kCfCount; ++i)
      cfs.emplace_back(kColumnFamilyNames[i], rocksdb::ColumnFamilyOptions());
    rocksdb::DB* db = nullptr;
    rocksdb::Status s = rocksdb::DB::Open(o, path, cfs, &handles_, &db);
    EXPECT_TRUE(s.ok()) << s.ToString();
    db_.reset(db);
  }
  ~RawDb() {
    for (auto* h : handles_) db_->DestroyColumnFamilyHandle(h).PermitUncheckedError();
    db_->Close().PermitUncheckedError();
  }

  std::string Get(ColumnFamilyId cf, std::string_view key) {
    std::string v;
    rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), handles_[cf], key, &v);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return v;
  }
  void Put(ColumnFamilyId cf, std::string_view key, std::string_view value) {
    rocksdb::Status s = db_->Put(rocksdb::WriteOptions(), handles_[cf], key, value);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  void Delete(ColumnFamilyId cf, std::string_view key) {
    rocksdb::Status s = db_->Delete(rocksdb::WriteOptions(), handles_[cf], key);
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // Every key and value of every column family, for byte-for-byte comparisons.
  std::map<std::string, std::string> Dump() {
    std::map<std::string, std::string> all;
    for (int i = 0; i < kCfCount; ++i) {
      std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), handles_[i]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        all[std::string(kColumnFamilyNames[i]) + "/" + it->key().ToString()] =
            it->value().ToString();
      }
    }
    return all;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

// A fresh ledger on a fake clock, with helpers to append and to expect a
// rule's rejection.
class AppendFixture : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen() {
    ledger_.reset();
    Options o;
    o.create_if_missing = true;
    o.clock = &clock_;
    Status s = Ledger::Open(o, path(), &ledger_);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  std::string path() const { return dir_.Sub("db"); }

  Status Append(const std::vector<Event>& batch, AppendResult* r = nullptr,
                const AppendOptions& options = AppendOptions()) {
    AppendResult local;
    return ledger_->Append(batch, options, r != nullptr ? r : &local);
  }
  void MustAppend(const std::vector<Event>& batch) {
    Status s = Append(batch);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  // Expects a RuleViolation at batch index 0 whose message is
  // "event <id>: <rule>..." and contains `rule`, and nothing written.
  void ExpectRule(const Event& e, const std::string& rule) {
    AppendResult r;
    const Head before = ledger_->head();
    Status s = Append({e}, &r);
    EXPECT_EQ(ledger_->head().seq, before.seq);
    EXPECT_EQ(ledger_->head().hash, before.hash);
    EXPECT_TRUE(s.IsRuleViolation()) << s.ToString();
    EXPECT_EQ(r.failed_index, 0u);
    EXPECT_EQ(s.message().rfind("event " + events::FormatUuid(e.event_id) + ": ", 0), 0u)
        << s.message();
    EXPECT_NE(s.message().find(rule), std::string::npos) << s.message();
  }
  uint64_t Version(const std::string& contract) {
    uint64_t v = 0;
    EXPECT_TRUE(ledger_->StreamVersion(contract, &v).ok());
    return v;
  }

  TempDir dir_;
  FakeClock clock_{At("2026-05-01T00:00:00Z")};
  EventFactory f_;
  std::unique_ptr<Ledger> ledger_;
};

inline std::string SeqKeyBytes(uint64_t seq) { return std::string(SeqKey(seq).view()); }

}  // namespace ccl::ledger::testing
