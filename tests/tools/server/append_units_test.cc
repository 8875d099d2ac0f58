// Unit tests of POST /v1/events' handler over a ledger whose group commit the
// test decides (which appends share a group): the answer comes through the
// handler's callback once the ledger completes the append, and the
// events-per-group histogram counts each group once, not each request.
#include <gtest/gtest.h>

#include <deque>
#include <optional>
#include <regex>
#include <stdexcept>
#include <string>
#include <vector>

#include "events/model/json.h"
#include "events/model/rules.h"
#include "events/model/uuid.h"
#include "tests/events/model/event_factory.h"
#include "tests/projections/folds/fake_ledger.h"
#include "tools/server/routes.h"

namespace ccl::ledgerd {
namespace {

using events::Event;

// Stores each AppendAsync's events at the next seqs and reports them as part
// of the group the test queued for it (group_events, first_of_group); the
// completion is held until Complete().
class GroupingLedger final : public projections::testing::FakeLedger {
 public:
  struct Group {
    size_t events;
    bool first;
  };
  void ReportGroups(std::vector<Group> groups) { groups_.assign(groups.begin(), groups.end()); }

  void AppendAsync(std::vector<Event> batch, ledger::AppendOptions, AppendDone done) override {
    ledger::AppendResult r;
    for (Event e : batch) {
      e.seq = head().seq + 1;
      AddAssigned(e);
      r.outcomes.push_back({e.seq, false});
      ++r.appended;
    }
    EXPECT_FALSE(groups_.empty());
    r.group_events = groups_.front().events;
    r.first_of_group = groups_.front().first;
    groups_.pop_front();
    held_.push_back([done, r]() mutable { done(Status::OK(), std::move(r)); });
  }
  // Completes the held appends, in order.
  void Complete() {
    for (auto& f : held_) f();
    held_.clear();
  }

 private:
  std::deque<Group> groups_;
  std::vector<std::function<void()>> held_;
};

// Between CheckWriteBatch and the append, another writer opens the contract
// a customer-scoped writer's batch opens: the ledger refuses the batch by
// R-LIFE-02, whose message describes the other customer's contract (its
// number of events). The scoped writer must get the 403 it would have got
// had the other append come first, and nothing of that contract.
class RacingLedger final : public projections::testing::FakeLedger {
 public:
  explicit RacingLedger(Event other_open) : other_open_(std::move(other_open)) {}
  void AppendAsync(std::vector<Event> batch, ledger::AppendOptions, AppendDone done) override {
    Event other = other_open_;
    other.seq = head().seq + 1;
    AddAssigned(other);  // the other writer's append wins the race
    ledger::AppendResult r;
    r.failed_index = 0;
    done(Status::RuleViolation("event " + events::FormatUuid(batch[0].event_id) +
                               ": contract already opened: contract '" + batch[0].contract +
                               "' has 1 events")
             .WithRule(rules::kOpenedOnce),
         std::move(r));
  }

 private:
  Event other_open_;
};

class PostEventsTest : public ::testing::Test {
 protected:
  PostEventsTest() {
    EXPECT_TRUE(Policy::Parse("tester writer *\n", &rules_->policy).ok());
    svc_.ledger = &ledger_;
    svc_.options = &options_;
    svc_.metrics = &metrics_;
  }

  // POSTs `events` as JSON Lines; the reply once the append completed.
  std::shared_ptr<std::optional<Reply>> Post(const std::vector<Event>& events) {
    auto request = std::make_shared<Request>();
    events::JsonOutputOptions json;
    json.assigned_fields = false;
    for (const Event& e : events) {
      events::AppendEventJson(e, json, &bodies_.emplace_back());
      bodies_.back() += '\n';
    }
    request->method = "POST";
    request->path = "/v1/events";
    request->content_type = "application/x-ndjson";
    request->body = bodies_.back();
    request->context.principal = "tester";
    request->context.rules = rules_;
    request->context.grant = rules_->policy.GrantOf("tester");
    request->access.emplace();  // the access log is on
    auto reply = std::make_shared<std::optional<Reply>>();
    PostEvents(request, svc_, [reply](Reply r) { *reply = std::move(r); });
    return reply;
  }
  // "tester" a writer of the EventFactory's customer only.
  void NarrowTesterToTheFactorysCustomer() {
    rules_ = std::make_shared<AccessRules>();
    ASSERT_TRUE(
        Policy::Parse("tester writer customer:\"Department of Examples\"\n", &rules_->policy).ok());
  }
  // The narrowed tester's ContractOpened of "C", while `other` (another
  // writer's ContractOpened of "C") wins the race to the append.
  Reply PostLosingTheRaceTo(const Event& other) {
    RacingLedger racing(other);
    svc_.ledger = &racing;
    NarrowTesterToTheFactorysCustomer();
    auto reply = Post({f_.Open("C")});
    svc_.ledger = &ledger_;
    EXPECT_TRUE(reply->has_value());
    return reply->value_or(Reply{});
  }
  // The value of the metric sample `name` (a full sample name, no labels).
  double Sample(const std::string& name) {
    std::smatch m;
    const std::string text = metrics_.Text();
    EXPECT_TRUE(std::regex_search(text, m, std::regex("\n" + name + " (\\S+)\n"))) << name;
    return m.empty() ? -1 : std::stod(m[1]);
  }

  events::testing::EventFactory f_;
  GroupingLedger ledger_;
  ServerOptions options_;
  Metrics metrics_;
  std::shared_ptr<AccessRules> rules_ = std::make_shared<AccessRules>();
  Service svc_;
  std::deque<std::string> bodies_;  // the requests' bodies (Request views them)
};

TEST_F(PostEventsTest, AnswersWhenTheAppendCompletesAndCountsEventsPerGroup) {
  // Two requests of one event in one group of two, then one of three alone.
  ledger_.ReportGroups({{2, true}, {2, false}, {3, true}});
  auto first = Post({f_.Open("C")});
  auto second = Post({f_.Book("C", events::ServiceLine::kReactive, 5)});
  EXPECT_FALSE(first->has_value()) << "answered before the append completed";
  ledger_.Complete();
  auto third = Post({f_.Book("C", events::ServiceLine::kReactive, 5),
                     f_.Book("C", events::ServiceLine::kReactive, 6),
                     f_.Book("C", events::ServiceLine::kReactive, 7)});
  ledger_.Complete();
  for (const auto* r : {&first, &second, &third}) {
    ASSERT_TRUE((*r)->has_value());
    EXPECT_EQ((**r)->status, 200u) << (**r)->body;
    EXPECT_TRUE((**r)->body.find("\"appended\":") != std::string::npos) << (**r)->body;
    EXPECT_TRUE((**r)->access_recorded) << "the record travels with the events";
  }
  EXPECT_EQ(Sample("ledgerd_appends_total"), 3);
  EXPECT_EQ(Sample("ledgerd_append_batch_events_count"), 2) << "one observation per group";
  EXPECT_EQ(Sample("ledgerd_append_batch_events_sum"), 5);
}

// The answer is made on a thread of the ledger: a throw while making it
// must not cross into that thread, the client gets an answer, and the
// append no longer counts as in flight (shutdown waits for none). The
// record written with the events says 200, so the 500 is left for the
// session to record: the log shows what the client was told.
TEST_F(PostEventsTest, AThrowWhileAnsweringIsA500AndEndsTheAppend) {
  ledger_.ReportGroups({{1, true}});
  svc_.on_appended = [] { throw std::runtime_error("a subscriber's bug"); };
  auto reply = Post({f_.Open("C")});
  EXPECT_EQ(svc_.appends_in_flight.load(), 1u);
  EXPECT_NO_THROW(ledger_.Complete());
  ASSERT_TRUE(reply->has_value());
  EXPECT_EQ((*reply)->status, 500u) << (*reply)->body;
  EXPECT_FALSE((*reply)->access_recorded);
  EXPECT_EQ(svc_.appends_in_flight.load(), 0u);
}

TEST_F(PostEventsTest, AScopedWriterThatLosesARaceToOpenAContractGetsTheScopesRefusal) {
  Event other = f_.Open("C");
  other.customer = "Other Agency";
  const Reply reply = PostLosingTheRaceTo(other);
  EXPECT_EQ(reply.status, 403u) << reply.body;
  EXPECT_TRUE(reply.body.find("outside the scope") != std::string::npos) << reply.body;
  EXPECT_TRUE(reply.body.find("R-LIFE-02") == std::string::npos) << reply.body;
  EXPECT_TRUE(reply.body.find("events") == std::string::npos) << reply.body;
  EXPECT_FALSE(reply.access_recorded) << "refused: the session records it";
}

// The same refusal of a contract the writer's own scope holds is shown as
// the rules say it: the contract is the writer's to know about.
TEST_F(PostEventsTest, AScopedWritersOwnContractsRuleRefusalIsShownWhole) {
  const Reply reply = PostLosingTheRaceTo(f_.Open("C"));  // another writer's, but in scope
  EXPECT_EQ(reply.status, 422u) << reply.body;
  EXPECT_TRUE(reply.body.find("R-LIFE-02") != std::string::npos) << reply.body;
}

// A ledger-wide event from a writer narrowed to a customer: the 403 says
// why (only `*` reaches ledger-wide events), not "contract ''".
TEST_F(PostEventsTest, AScopedWritersLedgerWideEventIsRefusedSayingWhy) {
  NarrowTesterToTheFactorysCustomer();
  auto reply = Post({f_.Policy(1u << static_cast<unsigned>(events::EventType::kEntryReversed))});
  ASSERT_TRUE(reply->has_value());
  EXPECT_EQ((*reply)->status, 403u) << (*reply)->body;
  EXPECT_TRUE((*reply)->body.find("ApprovalPolicySet is a ledger-wide event, which only a "
                                  "principal with scope * may append") != std::string::npos)
      << (*reply)->body;
  EXPECT_TRUE((*reply)->body.find("contract ''") == std::string::npos) << (*reply)->body;
}

}  // namespace
}  // namespace ccl::ledgerd
