// Writing HTML text safely. Every string that comes from events (contract
// names, customers, reasons, actors, offerings...) is untrusted: it reaches
// the page only through these functions, so no event can add markup, close
// an element, open a script or break out of an attribute.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace ccl::report {

// Appends `text` escaped for HTML element content and for double- or
// single-quoted attribute values: & < > " ' become entities; control
// characters other than tab, LF and CR (which HTML forbids or browsers
// mangle), the bidirectional embeddings, overrides and isolates (one left
// open would reorder the page's own text after it) and any byte sequence
// that is not valid UTF-8 become U+FFFD.
void AppendEscaped(std::string_view text, std::string* out);
std::string Escaped(std::string_view text);

// Opens a section of the report: appends `opening` (the section's opening
// tag, heading and lead paragraph: markup of our own, never event text) and,
// when `empty`, the paragraph `empty_text` and the closing tag. Returns
// whether the section goes on (it has rows to show).
bool OpenSection(std::string_view opening, bool empty, std::string_view empty_text,
                 std::string* out);

// An HTML table written into *out as rows and cells are added: the header
// from (name, numeric) pairs at construction, the closing tags at
// destruction. Text cells are escaped; Markup cells are the caller's own.
class Table {
 public:
  Table(std::string* out, std::initializer_list<std::pair<const char*, bool>> columns) : out_(out) {
    out_->append("<div class=\"table-wrap\"><table><thead><tr>");
    for (const auto& [name, numeric] : columns) {
      out_->append(numeric ? "<th class=\"num\">" : "<th>");
      AppendEscaped(name, out_);
      out_->append("</th>");
    }
    out_->append("</tr></thead><tbody>");
  }
  void Row(const char* cls = nullptr) {
    if (open_row_) out_->append("</tr>");
    out_->append(cls == nullptr ? "<tr>" : std::string("<tr class=\"") + cls + "\">");
    open_row_ = true;
  }
  void Text(std::string_view s, const char* cls = nullptr) {
    out_->append(cls == nullptr ? "<td>" : std::string("<td class=\"") + cls + "\">");
    AppendEscaped(s, out_);
    out_->append("</td>");
  }
  void Num(std::string_view s) { Text(s, "num"); }
  // A cell of markup we built ourselves (badges, meters); never event text.
  void Markup(const std::string& html, const char* cls = nullptr) {
    out_->append(cls == nullptr ? "<td>" : std::string("<td class=\"") + cls + "\">");
    out_->append(html);
    out_->append("</td>");
  }
  ~Table() {
    if (open_row_) out_->append("</tr>");
    out_->append("</tbody></table></div>");
  }

 private:
  std::string* out_;
  bool open_row_ = false;
};

// A section of the report holding one table: `opening` and `empty_text` as
// OpenSection's; unless `rows` is empty, the table of `columns` with what
// `write(t, row)` adds for each row (it starts each of its rows with
// t.Row()), then the markup `trailer` appends, then the closing tag.
template <typename Rows, typename Write>
void AppendTableSection(std::string_view opening, const Rows& rows, std::string_view empty_text,
                        std::initializer_list<std::pair<const char*, bool>> columns,
                        const Write& write, std::string* out,
                        const std::function<void()>& trailer = nullptr) {
  if (!OpenSection(opening, rows.empty(), empty_text, out)) return;
  {
    Table t(out, columns);
    for (const auto& row : rows) write(t, row);
  }  // the table closes before its section
  if (trailer) trailer();
  out->append("</section>");
}

}  // namespace ccl::report
