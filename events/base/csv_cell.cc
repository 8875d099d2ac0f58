// CSV cell encoding (events/base/csv_cell.h).
#include "events/base/csv_cell.h"

#include "events/base/hex.h"

namespace ccl::events {

namespace {

bool IsFormulaStart(char c) { return c == '=' || c == '+' || c == '-' || c == '@'; }

// Length of the control character at s[i] (1 for C0 and DEL, 2 for a C1 in
// UTF-8: C2 80..C2 9F), or 0 when s[i] does not start one.
size_t ControlAt(std::string_view s, size_t i, bool del_c1) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x20) return 1;
  if (!del_c1) return 0;
  if (c == 0x7f) return 1;
  if (c == 0xc2 && i + 1 < s.size()) {
    const auto n = static_cast<unsigned char>(s[i + 1]);
    if (n >= 0x80 && n <= 0x9f) return 2;
  }
  return 0;
}

// Form 2 applies (and, on decoding, was applied): see the header.
bool NeedsPrefix(std::string_view s) {
  if (s.empty()) return false;
  if (IsFormulaStart(s[0])) return true;
  return s[0] == '\'' && s.size() > 1 && (IsFormulaStart(s[1]) || s[1] == '\'' || s[1] == '"');
}

// The JSON string body of an escaped cell (between the quotes) into *text.
bool DecodeEscaped(std::string_view body, std::string* text, std::string* rule) {
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '"' || ControlAt(body, i, true) > 0) {
      *rule = "escaped cell ('\"...\"): a raw quote or control character inside";
      return false;
    }
    if (c != '\\') {
      text->push_back(c);
      continue;
    }
    if (i + 1 < body.size() && (body[i + 1] == '"' || body[i + 1] == '\\')) {
      text->push_back(body[++i]);
      continue;
    }
    const int hi = i + 5 < body.size() && body.compare(i + 1, 3, "u00") == 0
                       ? LowerHexDigitValue(body[i + 4])
                       : -1;
    const int lo = hi >= 0 ? LowerHexDigitValue(body[i + 5]) : -1;
    const int code = hi * 16 + lo;
    if (hi < 0 || lo < 0 || !(code < 0x20 || (code >= 0x7f && code <= 0x9f))) {
      *rule =
          "escaped cell ('\"...\"): only \\\", \\\\ and \\u00XX of a control character "
          "(lower-case hex) may follow a backslash";
      return false;
    }
    if (code >= 0x80) text->push_back('\xc2');
    text->push_back(static_cast<char>(code));
    i += 5;
  }
  return true;
}

}  // namespace

bool HasControlCharacter(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (ControlAt(s, i, true) > 0) return true;
  }
  return false;
}

void AppendJsonStringBody(std::string_view s, bool escape_del_c1, std::string* out) {
  size_t run = 0;  // start of the bytes not yet copied
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t control = ControlAt(s, i, escape_del_c1);
    if (control == 0 && c != '"' && c != '\\') continue;
    out->append(s.data() + run, i - run);
    if (control == 0) {
      out->push_back('\\');
      out->push_back(static_cast<char>(c));
    } else {
      const auto code = static_cast<unsigned char>(control == 2 ? s[i + 1] : s[i]);
      const char esc[6] = {'\\', 'u', '0', '0', kHexDigits[code >> 4], kHexDigits[code & 0xf]};
      out->append(esc, sizeof(esc));
    }
    i += control > 1 ? control - 1 : 0;
    run = i + 1;
  }
  out->append(s.data() + run, s.size() - run);
}

void AppendJsonString(std::string_view s, std::string* out, bool escape_del_c1) {
  out->push_back('"');
  AppendJsonStringBody(s, escape_del_c1, out);
  out->push_back('"');
}

void AppendCsvCell(std::string_view text, std::string* out, CsvCellMode mode) {
  std::string encoded;
  std::string_view cell = text;
  if (mode == CsvCellMode::kPlain) {
    if (!text.empty() && text.find_first_of(",\";\r\n\\") == std::string_view::npos) {
      out->append(text);
      return;
    }
  } else if (HasControlCharacter(text)) {
    encoded = "'\"";
    AppendJsonStringBody(text, /*escape_del_c1=*/true, &encoded);
    encoded.push_back('"');
    cell = encoded;
  } else if (NeedsPrefix(text)) {
    encoded.reserve(text.size() + 1);
    encoded.push_back('\'');
    encoded.append(text);
    cell = encoded;
  }
  if (mode == CsvCellMode::kSpreadsheetSafe &&
      cell.find_first_of(",\";\r\n") == std::string_view::npos) {
    out->append(cell);
    return;
  }
  out->push_back('"');
  for (const char c : cell) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

bool DecodeCsvCell(std::string_view cell, std::string* text, std::string* rule) {
  text->clear();
  if (cell.size() >= 2 && cell[0] == '\'' && cell[1] == '"') {
    if (cell.size() < 3 || cell.back() != '"') {
      *rule = "escaped cell ('\"...\"): no closing quote at the end of the cell";
      return false;
    }
    return DecodeEscaped(cell.substr(2, cell.size() - 3), text, rule);
  }
  if (!cell.empty() && cell[0] == '\'' && NeedsPrefix(cell.substr(1))) {
    text->assign(cell.substr(1));
    return true;
  }
  text->assign(cell);
  return true;
}

}  // namespace ccl::events
