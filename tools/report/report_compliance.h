// The compliance sections of the HTML audit report: closed months with their
// sealed totals (and reopenings), events awaiting approval, legal holds.
#pragma once

#include <string>

#include "tools/report/report_data.h"

namespace ccl::report {

// Appends the three sections (each says so when it has nothing to show).
void AppendComplianceHtml(const ReportData& d, std::string* out);

}  // namespace ccl::report
