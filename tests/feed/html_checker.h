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

inline HtmlCheck CheckHtml(const std::string& html) {
  static const std::set<std::string> kVoid = {"meta", "br",   "img",  "input", "link",  "hr",
                                              "col",  "area", "base", "wbr",   "source"};
  HtmlCheck r;
  std::vector<std::string> stack;
  auto error = [&r](size_t at, const std::string& what) {
    if (r.errors.size() < 20) r.errors.push_back("byte " + std::to_string(at) + ": " + what);
  };
  size_t i = 0;
  const size_t n = html.size();
  while (i < n) {
    const char c = html[i];
    if (c == '&') {
      size_t j = i + 1;
      if (j < n && html[j] == '#') ++j;
      const size_t start = j;
      while (j < n && std::isalnum(static_cast<unsigned char>(html[j]))) ++j;
      if (j == start || j >= n || html[j] != ';') error(i, "stray '&'");
      i = j + 1;
      continue;
    }
    if (c != '<') {
      if (c == '>') error(i, "raw '>' in text");
      ++i;
      continue;
    }
    if (html.compare(i, 4, "<!--") == 0) {
      const size_t end = html.find("-->", i);
      if (end == std::string::npos) {
        error(i, "unterminated comment");
        break;
      }
      i = end + 3;
      continue;
    }
    if (html.compare(i, 2, "<!") == 0) {
      i = html.find('>', i) + 1;
      continue;
    }
    const bool closing = i + 1 < n && html[i + 1] == '/';
    size_t j = i + (closing ? 2 : 1);
    const size_t name_start = j;
    while (j < n && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-')) ++j;
    const std::string name = Lower(html.substr(name_start, j - name_start));
    if (name.empty()) {
      error(i, "raw '<' in text");
      ++i;
      continue;
    }
    if (closing) {
      if (j >= n || html[j] != '>') error(i, "malformed closing tag </" + name);
      if (stack.empty() || stack.back() != name) {
        error(i, "</" + name + "> closes <" +
                     (stack.empty() ? std::string("nothing") : stack.back()) + ">");
      } else {
        stack.pop_back();
      }
      i = j + 1;
      continue;
    }
    // Attributes: name="value" or name='value' (or a bare name).
    std::string cls;
    bool self_closing = false;
    for (;;) {
      while (j < n && std::isspace(static_cast<unsigned char>(html[j]))) ++j;
      if (j >= n) {
        error(i, "unterminated tag <" + name);
        break;
      }
      if (html[j] == '>') break;
      if (html.compare(j, 2, "/>") == 0) {
        self_closing = true;
        ++j;
        break;
      }
      const size_t an = j;
      while (j < n && (std::isalnum(static_cast<unsigned char>(html[j])) || html[j] == '-' ||
                       html[j] == ':')) {
        ++j;
      }
      const std::string attr = Lower(html.substr(an, j - an));
      if (attr.empty()) {
        error(j, "bad attribute in <" + name);
        ++j;
        continue;
      }
      r.attributes.insert(attr);
      if (attr.starts_with("on")) error(an, "event handler attribute " + attr + " in <" + name);
      if (j < n && html[j] == '=') {
        ++j;
        const char q = j < n ? html[j] : 0;
        if (q != '"' && q != '\'') {
          error(j, "unquoted value of " + attr + " in <" + name);
          continue;
        }
        const size_t end = html.find(q, j + 1);
        if (end == std::string::npos) {
          error(j, "unterminated attribute value");
          break;
        }
        const std::string value = html.substr(j + 1, end - j - 1);
        if (value.find('<') != std::string::npos) error(j, "'<' in attribute value");
        if (attr == "class") cls = value;
        j = end + 1;
      }
    }
    ++r.elements[name];
    r.opened.emplace_back(name, cls);
    if (name == "script") error(i, "a <script> element");
    i = j + 1;
    if (name == "style") {
      const size_t end = html.find("</style>", i);
      if (end == std::string::npos) {
        error(i, "unterminated <style>");
        break;
      }
      i = end + 8;
      continue;
    }
    if (!self_closing && kVoid.count(name) == 0) stack.push_back(name);
  }
  for (const std::string& open : stack) r.errors.push_back("<" + open + "> never closed");
  return r;
}

}  // namespace ccl::feed::testing
