// The generator's vocabulary: customers, engineers, offerings, escalation
// summaries and reasons. Realistic enough that reports read like the real
// thing; the non-ASCII names exercise the UTF-8 paths. Internal to
// tools/generator/generator.cc; changing any entry changes every generated workload.
#pragma once

#include <cstddef>
#include <iterator>

#include "events/model/event.h"

namespace ccl::tools::generator_vocabulary {

using events::ServiceLine;

struct CustomerSeed {
  const char* name;
  const char* currency;
};

constexpr CustomerSeed kCustomers[] = {
    {"Department of Veterans Affairs", "USD"},
    {"Defense Logistics Agency", "USD"},
    {"Defense Information Systems Agency", "USD"},
    {"U.S. Army Corps of Engineers", "USD"},
    {"Bundesamt für Sicherheit in der Informationstechnik", "EUR"},
    {"Department of Homeland Security", "USD"},
    {"Ministry of Defence (UK)", "GBP"},
    {"Naval Information Warfare Center", "USD"},
    {"Federal Aviation Administration", "USD"},
    {"Ministère des Armées", "EUR"},
    {"Department of Energy", "USD"},
    {"HM Revenue & Customs", "GBP"},
    {"Social Security Administration", "USD"},
    {"デジタル庁 (Digital Agency of Japan)", "JPY"},
    {"U.S. Census Bureau", "USD"},
    {"Agenzia per la Cybersicurezza Nazionale", "EUR"},
    {"National Institutes of Health", "USD"},
    {"NHS Digital", "GBP"},
    {"Department of the Treasury", "USD"},
    {"Rijksoverheid SSC-ICT", "EUR"},
    {"California Department of Technology", "USD"},
    {"防衛省 (Ministry of Defense Japan)", "JPY"},
    {"Government Digital Service", "GBP"},
    {"NYC Office of Technology and Innovation", "USD"},
};
constexpr size_t kCustomerSeedCount = std::size(kCustomers);

constexpr const char* kFirstNames[] = {"Alex",  "Maria", "James", "Priya", "Chen", "Fatima",
                                       "Lukas", "Sofia", "David", "Aiko",  "Omar", "Emma",
                                       "Rahul", "Grace", "Mateo", "Hannah"};
constexpr const char* kLastNames[] = {"Morgan", "Garcia",    "Okafor", "Schmidt", "Nakamura",
                                      "Patel",  "Johnson",   "Dubois", "Rossi",   "Kowalski",
                                      "Haddad", "Lindqvist", "Kim",    "Moreau",  "O'Brien"};
constexpr size_t kEngineerCount = std::size(kFirstNames) * std::size(kLastNames);

constexpr const char* kOfferings[] = {
    "Active Directory Security Assessment",  "Azure Architecture Workshop",
    "Exchange Online Health Check",          "SQL Server Performance Assessment",
    "Microsoft 365 Security Workshop",       "Windows Server Upgrade Planning",
    "Identity and Access Management Review", "Incident Response Readiness Assessment",
    "Azure Cost Optimization Review",        "Defender for Endpoint Deployment Workshop",
    "Intune Configuration Review",           "Disaster Recovery Tabletop Exercise",
};

constexpr const char* kEscalationSummaries[] = {
    "Domain controller replication failures across sites",
    "Exchange Online mail flow delays over four hours",
    "Azure VPN gateway outage isolating field offices",
    "SQL Server availability group failover loop",
    "Teams meeting join failures for external users",
    "SharePoint search stopped indexing new content",
    "Hyper-V hosts crash after firmware update",
    "Expired certificate broke ADFS sign-in",
    "Ransomware alert on file servers",
    "Intune enrollment errors after OS update",
    "Entra Connect sync stopped",
    "Print spooler crashes on RDS hosts",
};

constexpr const char* kResolutions[] = {
    "Root cause fixed; monitoring confirmed stable",
    "Workaround applied; permanent fix scheduled",
    "Hotfix installed and verified",
    "Configuration corrected and documented",
    "Resolved by rolling back the customer change",
    "Hardware replaced by the vendor",
};

constexpr const char* kReversalReasons[] = {
    "Booked to the wrong contract",     "Duplicate timesheet entry",
    "Minutes entered incorrectly",      "Work not billable under this contract",
    "Booked to the wrong service line",
};

constexpr ServiceLine kAllLines[] = {ServiceLine::kProactive, ServiceLine::kReactive,
                                     ServiceLine::kDesignatedEngineering,
                                     ServiceLine::kServiceDelivery};

}  // namespace ccl::tools::generator_vocabulary
