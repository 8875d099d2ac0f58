// The stable ids of every published check: the append rules of the write
// model (R-...) and the field-validation checks (F-..., one per field table),
// each with its anchor in schemas/EVENTS.md. An error that reports a check
// carries its id (Status::rule(), and " (rule ID)" at the end of the message).
//
// Every id is a constant here and nowhere else, and every constant is listed
// in kAll: tests/ledger/store/rules_test.cc fails when an id lacks its anchor in
// EVENTS.md, an anchor lacks its id here, or a check id has no case that
// breaks it through Ledger::Append and gets exactly that id back.
#pragma once

#include <array>
#include <string_view>

namespace ccl::rules {

// Rules checked on append (schemas/EVENTS.md "Rules checked on append").
inline constexpr std::string_view kBatchEventsMax = "R-BATCH-01";
inline constexpr std::string_view kExpectedVersion = "R-VER-01";
inline constexpr std::string_view kDuplicate = "R-ID-01";
inline constexpr std::string_view kEventIdConflict = "R-ID-02";
inline constexpr std::string_view kFirstEventOpens = "R-LIFE-01";
inline constexpr std::string_view kOpenedOnce = "R-LIFE-02";
inline constexpr std::string_view kNothingAfterClose = "R-LIFE-03";
inline constexpr std::string_view kCloseNeedsOpen = "R-LIFE-04";
inline constexpr std::string_view kStatedCurrency = "R-LIFE-05";
inline constexpr std::string_view kOpenTerm = "R-OPEN-01";
inline constexpr std::string_view kOpenLineOnce = "R-OPEN-02";
inline constexpr std::string_view kOpenLineComplete = "R-OPEN-03";
inline constexpr std::string_view kAmendTerm = "R-AMD-01";
inline constexpr std::string_view kAmendNewLineComplete = "R-AMD-02";
inline constexpr std::string_view kAmendNewLineFunded = "R-AMD-03";
inline constexpr std::string_view kAmendNotBelowConsumed = "R-AMD-04";
inline constexpr std::string_view kAmendFundedMax = "R-AMD-05";
inline constexpr std::string_view kAmendOverage = "R-AMD-06";
inline constexpr std::string_view kAmendRateChanges = "R-AMD-07";
inline constexpr std::string_view kConsumptionLineFunded = "R-CONS-01";
inline constexpr std::string_view kConsumptionInTerm = "R-CONS-02";
inline constexpr std::string_view kConsumptionOverageReject = "R-CONS-03";
inline constexpr std::string_view kConsumptionCounted = "R-CONS-04";
inline constexpr std::string_view kEscalationIdUnused = "R-ESC-01";
inline constexpr std::string_view kEscalationExists = "R-ESC-02";
inline constexpr std::string_view kEscalationOpen = "R-ESC-03";
inline constexpr std::string_view kReversalTargetExists = "R-REV-01";
inline constexpr std::string_view kReversalSameContract = "R-REV-02";
inline constexpr std::string_view kReversalTargetConsumption = "R-REV-03";
inline constexpr std::string_view kReversalOnce = "R-REV-04";
inline constexpr std::string_view kReversalCounted = "R-REV-05";
inline constexpr std::string_view kTimeNotBeforeOpened = "R-TIME-01";
inline constexpr std::string_view kTimeTermEndNotBeforeConsumption = "R-TIME-02";
inline constexpr std::string_view kTimeCloseNotBeforeLatest = "R-TIME-03";
inline constexpr std::string_view kTimeCloseNotBeforeTerm = "R-TIME-04";
inline constexpr std::string_view kTimeRerateNotBeforeOpened = "R-TIME-05";
inline constexpr std::string_view kTimeResolveNotBeforeOpened = "R-TIME-06";
inline constexpr std::string_view kTimeReversalNotBeforeTarget = "R-TIME-07";
inline constexpr std::string_view kPeriodInOrder = "R-PERIOD-01";
inline constexpr std::string_view kPeriodCloseAfterMonth = "R-PERIOD-02";
inline constexpr std::string_view kPeriodClosedRefuses = "R-PERIOD-03";
inline constexpr std::string_view kPeriodSealed = "R-PERIOD-04";
inline constexpr std::string_view kHoldOnce = "R-HOLD-01";
inline constexpr std::string_view kHoldReleasePlaced = "R-HOLD-02";
inline constexpr std::string_view kHoldsMax = "R-HOLD-03";
inline constexpr std::string_view kHoldAfterClose = "R-HOLD-04";
inline constexpr std::string_view kPeriodReopenClosed = "R-PERIOD-05";
inline constexpr std::string_view kPeriodReopened = "R-PERIOD-06";
inline constexpr std::string_view kApprovalPending = "R-APPR-01";
inline constexpr std::string_view kApprovalTarget = "R-APPR-02";
inline constexpr std::string_view kApprovalTargetPending = "R-APPR-03";
inline constexpr std::string_view kApprovalFourEyes = "R-APPR-04";
inline constexpr std::string_view kApprovalPendingMax = "R-APPR-05";
inline constexpr std::string_view kApprovalTakesEffect = "R-APPR-06";

// Field validation (schemas/EVENTS.md "Checks on every event"): one id per
// field table of the catalog; the message names the field, so id and field
// name one row of that table.
inline constexpr std::string_view kFieldType = "F-TYPE";
inline constexpr std::string_view kFieldEnvelope = "F-ENVELOPE";
inline constexpr std::string_view kFieldOtherType = "F-OTHER-TYPE";
inline constexpr std::string_view kFieldContractOpened = "F-OPENED";
inline constexpr std::string_view kFieldOpenedLine = "F-OPENED-LINE";
inline constexpr std::string_view kFieldContractAmended = "F-AMENDED";
inline constexpr std::string_view kFieldAmendedLine = "F-AMENDED-LINE";
inline constexpr std::string_view kFieldHoursBooked = "F-HOURS";
inline constexpr std::string_view kFieldDeliveryCompleted = "F-DELIVERY";
inline constexpr std::string_view kFieldEscalationOpened = "F-ESC-OPENED";
inline constexpr std::string_view kFieldEscalationSeverityChanged = "F-ESC-SEVERITY";
inline constexpr std::string_view kFieldEscalationResolved = "F-ESC-RESOLVED";
inline constexpr std::string_view kFieldEntryReversed = "F-REVERSED";
inline constexpr std::string_view kFieldContractClosed = "F-CLOSED";
inline constexpr std::string_view kFieldPeriodClosed = "F-PERIOD-CLOSED";
inline constexpr std::string_view kFieldLegalHold = "F-HOLD";
inline constexpr std::string_view kFieldApprovalPolicy = "F-POLICY";
inline constexpr std::string_view kFieldDecision = "F-DECISION";
inline constexpr std::string_view kFieldPeriodReopened = "F-PERIOD-REOPENED";

// A check refuses input and reports its id; an effect is what an accepted
// event does to the state (it is never an error, so its id is in no Status).
enum class Kind { kCheck, kEffect };

struct Entry {
  std::string_view id;
  Kind kind;
};

inline constexpr std::array kAll = {
    Entry{kBatchEventsMax, Kind::kCheck},
    Entry{kExpectedVersion, Kind::kCheck},
    Entry{kDuplicate, Kind::kEffect},
    Entry{kEventIdConflict, Kind::kCheck},
    Entry{kFirstEventOpens, Kind::kCheck},
    Entry{kOpenedOnce, Kind::kCheck},
    Entry{kNothingAfterClose, Kind::kCheck},
    Entry{kCloseNeedsOpen, Kind::kEffect},
    Entry{kStatedCurrency, Kind::kCheck},
    Entry{kOpenTerm, Kind::kCheck},
    Entry{kOpenLineOnce, Kind::kCheck},
    Entry{kOpenLineComplete, Kind::kCheck},
    Entry{kAmendTerm, Kind::kCheck},
    Entry{kAmendNewLineComplete, Kind::kCheck},
    Entry{kAmendNewLineFunded, Kind::kCheck},
    Entry{kAmendNotBelowConsumed, Kind::kCheck},
    Entry{kAmendFundedMax, Kind::kCheck},
    Entry{kAmendOverage, Kind::kEffect},
    Entry{kAmendRateChanges, Kind::kCheck},
    Entry{kConsumptionLineFunded, Kind::kCheck},
    Entry{kConsumptionInTerm, Kind::kCheck},
    Entry{kConsumptionOverageReject, Kind::kCheck},
    Entry{kConsumptionCounted, Kind::kEffect},
    Entry{kEscalationIdUnused, Kind::kCheck},
    Entry{kEscalationExists, Kind::kCheck},
    Entry{kEscalationOpen, Kind::kCheck},
    Entry{kReversalTargetExists, Kind::kCheck},
    Entry{kReversalSameContract, Kind::kCheck},
    Entry{kReversalTargetConsumption, Kind::kCheck},
    Entry{kReversalOnce, Kind::kCheck},
    Entry{kReversalCounted, Kind::kEffect},
    Entry{kTimeNotBeforeOpened, Kind::kCheck},
    Entry{kTimeTermEndNotBeforeConsumption, Kind::kCheck},
    Entry{kTimeCloseNotBeforeLatest, Kind::kCheck},
    Entry{kTimeCloseNotBeforeTerm, Kind::kCheck},
    Entry{kTimeRerateNotBeforeOpened, Kind::kCheck},
    Entry{kTimeResolveNotBeforeOpened, Kind::kCheck},
    Entry{kTimeReversalNotBeforeTarget, Kind::kCheck},
    Entry{kPeriodInOrder, Kind::kCheck},
    Entry{kPeriodCloseAfterMonth, Kind::kCheck},
    Entry{kPeriodClosedRefuses, Kind::kCheck},
    Entry{kPeriodSealed, Kind::kEffect},
    Entry{kHoldOnce, Kind::kCheck},
    Entry{kHoldReleasePlaced, Kind::kCheck},
    Entry{kHoldsMax, Kind::kCheck},
    Entry{kHoldAfterClose, Kind::kEffect},
    Entry{kPeriodReopenClosed, Kind::kCheck},
    Entry{kPeriodReopened, Kind::kEffect},
    Entry{kApprovalPending, Kind::kEffect},
    Entry{kApprovalTarget, Kind::kCheck},
    Entry{kApprovalTargetPending, Kind::kCheck},
    Entry{kApprovalFourEyes, Kind::kCheck},
    Entry{kApprovalPendingMax, Kind::kCheck},
    Entry{kApprovalTakesEffect, Kind::kEffect},
    Entry{kFieldType, Kind::kCheck},
    Entry{kFieldEnvelope, Kind::kCheck},
    Entry{kFieldOtherType, Kind::kCheck},
    Entry{kFieldContractOpened, Kind::kCheck},
    Entry{kFieldOpenedLine, Kind::kCheck},
    Entry{kFieldContractAmended, Kind::kCheck},
    Entry{kFieldAmendedLine, Kind::kCheck},
    Entry{kFieldHoursBooked, Kind::kCheck},
    Entry{kFieldDeliveryCompleted, Kind::kCheck},
    Entry{kFieldEscalationOpened, Kind::kCheck},
    Entry{kFieldEscalationSeverityChanged, Kind::kCheck},
    Entry{kFieldEscalationResolved, Kind::kCheck},
    Entry{kFieldEntryReversed, Kind::kCheck},
    Entry{kFieldContractClosed, Kind::kCheck},
    Entry{kFieldPeriodClosed, Kind::kCheck},
    Entry{kFieldLegalHold, Kind::kCheck},
    Entry{kFieldApprovalPolicy, Kind::kCheck},
    Entry{kFieldDecision, Kind::kCheck},
    Entry{kFieldPeriodReopened, Kind::kCheck},
};

}  // namespace ccl::rules
