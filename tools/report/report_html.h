// The audit report as one self-contained HTML file: inline CSS, inline SVG
// charts, no scripts, no fonts, images or anything else to fetch. A
// Content-Security-Policy meta element forbids scripts and every network
// request, so even a browser that found markup where there should be none
// would neither run nor load it; and there is none, because every string
// taken from events goes through report/html.h's escaping.
//
// Sections: scope (contract, as-of, known-at), integrity (verification
// result, ledger head, the events the figures come from and their chain
// hash), balances, margins, burn forecast with one burn-down chart per
// contract line, escalations by severity, reversals with their reasons, and
// how to reproduce the figures. Minutes read h:mm, money carries its
// currency (events/model/money.h), numbers are right-aligned in tabular figures.
#pragma once

#include <string>

#include "tools/report/report_data.h"

namespace ccl::report {

// Appends the whole document ("<!DOCTYPE html>..." to "</html>\n").
// Deterministic: the same data give the same bytes.
void RenderReportHtml(const ReportData& data, std::string* out);

}  // namespace ccl::report
