// A strict checker of the HTML the report writes: every element closed in
// order (void elements and SVG's self-closing ones aside), attribute values
// quoted, no raw '<' or stray '&' in text, no script anywhere. Stricter than
// a browser (which repairs anything), so the report's structure is what we
// wrote, not what a parser guessed.
#pragma once

#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccl::feed::testing {

struct HtmlCheck {
  std::vector<std::string> errors;
  std::map<std::string, int> elements;  // name -> count
  std::set<std::string> attributes;     // every attribute name used
  // (name, class attribute) of every element, in document order.
  std::vector<std::pair<std::string, std::string>> opened;
};

inline std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One CheckHtml pass over a document: a read position, the elements still
// open, and what was found.
class HtmlScanner {
 public:
  explicit HtmlScanner(const std::string& html) : html_(html), n_(html.size()) {}

  HtmlCheck Run() {
    while (i_ < n_ && Step()) {
    }
    for (const std::string& open : stack_) r_.errors.push_back("<" + open + "> never closed");
    return std::move(r_);
  }

 private:
  void Error(size_t at, const std::string& what) {
    if (r_.errors.size() < 20) r_.errors.push_back("byte " + std::to_string(at) + ": " + what);
  }
  bool NameByte(size_t j) const {
    return std::isalnum(static_cast<unsigned char>(html_[j])) || html_[j] == '-';
  }

  // Reads one entity, text byte, comment, declaration or tag at i_; false
  // when the rest of the document cannot be read.
  bool Step() {
    const char c = html_[i_];
    if (c == '&') {
      Entity();
      return true;
    }
    if (c != '<') {
      if (c == '>') Error(i_, "raw '>' in text");
      ++i_;
      return true;
    }
    if (html_.compare(i_, 4, "<!--") == 0) return SkipPast("-->", "comment");
    if (html_.compare(i_, 2, "<!") == 0) {
      i_ = html_.find('>', i_) + 1;
      return true;
    }
    return Tag();
  }

  // Moves i_ past the next `terminator`; false (an error naming `what`)
  // when there is none.
  bool SkipPast(std::string_view terminator, const std::string& what) {
    const size_t end = html_.find(terminator, i_);
    if (end == std::string::npos) {
      Error(i_, "unterminated " + what);
      return false;
    }
    i_ = end + terminator.size();
    return true;
  }

  void Entity() {
    size_t j = i_ + 1;
    if (j < n_ && html_[j] == '#') ++j;
    const size_t start = j;
    while (j < n_ && std::isalnum(static_cast<unsigned char>(html_[j]))) ++j;
    if (j == start || j >= n_ || html_[j] != ';') Error(i_, "stray '&'");
    i_ = j + 1;
  }

  bool Tag() {
    const bool closing = i_ + 1 < n_ && html_[i_ + 1] == '/';
    size_t j = i_ + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < n_ && NameByte(j)) ++j;
    const std::string name = Lower(html_.substr(name_start, j - name_start));
    if (name.empty()) {
      Error(i_, "raw '<' in text");
      ++i_;
      return true;
    }
    if (closing) {
      ClosingTag(name, j);
      return true;
    }
    return OpeningTag(name, j);
  }

  // `name` read up to j of a closing tag.
  void ClosingTag(const std::string& name, size_t j) {
    if (j >= n_ || html_[j] != '>') Error(i_, "malformed closing tag </" + name);
    if (stack_.empty() || stack_.back() != name) {
      Error(i_, "</" + name + "> closes <" +
                    (stack_.empty() ? std::string("nothing") : stack_.back()) + ">");
    } else {
      stack_.pop_back();
    }
    i_ = j + 1;
  }

  // `name` read up to j of an opening tag; a <style> is skipped to its end.
  bool OpeningTag(const std::string& name, size_t j) {
    static const std::set<std::string> kVoid = {"meta", "br",   "img",  "input", "link",  "hr",
                                                "col",  "area", "base", "wbr",   "source"};
    std::string cls;
    bool self_closing = false;
    j = Attributes(name, j, &cls, &self_closing);
    ++r_.elements[name];
    r_.opened.emplace_back(name, cls);
    if (name == "script") Error(i_, "a <script> element");
    i_ = j + 1;
    if (name == "style") return SkipPast("</style>", "<style>");
    if (!self_closing && kVoid.count(name) == 0) stack_.push_back(name);
    return true;
  }

  // Attributes from j: name="value" or name='value' (or a bare name). Returns
  // where the tag ends ('>', the '>' of "/>", or n_).
  size_t Attributes(const std::string& name, size_t j, std::string* cls, bool* self_closing) {
    for (;;) {
      while (j < n_ && std::isspace(static_cast<unsigned char>(html_[j]))) ++j;
      if (j >= n_) {
        Error(i_, "unterminated tag <" + name);
        break;
      }
      if (html_[j] == '>') break;
      if (html_.compare(j, 2, "/>") == 0) {
        *self_closing = true;
        ++j;
        break;
      }
      const size_t an = j;
      while (j < n_ && (NameByte(j) || html_[j] == ':')) ++j;
      const std::string attr = Lower(html_.substr(an, j - an));
      if (attr.empty()) {
        Error(j, "bad attribute in <" + name);
        ++j;
        continue;
      }
      r_.attributes.insert(attr);
      if (attr.starts_with("on")) Error(an, "event handler attribute " + attr + " in <" + name);
      if (j < n_ && html_[j] == '=' && !AttributeValue(name, attr, &j, cls)) break;
    }
    return j;
  }

  // The quoted value after the '=' at *j; false when it never ends.
  bool AttributeValue(const std::string& name, const std::string& attr, size_t* j,
                      std::string* cls) {
    ++*j;
    const char q = *j < n_ ? html_[*j] : 0;
    if (q != '"' && q != '\'') {
      Error(*j, "unquoted value of " + attr + " in <" + name);
      return true;
    }
    const size_t end = html_.find(q, *j + 1);
    if (end == std::string::npos) {
      Error(*j, "unterminated attribute value");
      return false;
    }
    const std::string value = html_.substr(*j + 1, end - *j - 1);
    if (value.find('<') != std::string::npos) Error(*j, "'<' in attribute value");
    if (attr == "class") *cls = value;
    *j = end + 1;
    return true;
  }

  const std::string& html_;
  const size_t n_;
  size_t i_ = 0;
  std::vector<std::string> stack_;
  HtmlCheck r_;
};

inline HtmlCheck CheckHtml(const std::string& html) { return HtmlScanner(html).Run(); }

}  // namespace ccl::feed::testing
