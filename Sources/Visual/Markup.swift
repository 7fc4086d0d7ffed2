import Foundation

/// A writer of polyglot HTML/SVG: every element closed (void ones as `<x/>`), attributes quoted
/// in the order given, text escaped (`& < > " '`), so the same inputs give the same bytes and
/// an XML parser reads the page back (the tests do). Nothing here ever emits script.
struct Markup {
  private(set) var text = ""

  static func escape(_ value: String) -> String {
    var out = ""
    out.reserveCapacity(value.utf8.count)
    for character in value {
      switch character {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\"": out += "&quot;"
      case "'": out += "&#39;"
      default: out.append(character)
      }
    }
    return out
  }

  private static func attributes(_ list: [(String, String)]) -> String {
    list.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
  }

  mutating func open(_ name: String, _ attributes: [(String, String)] = []) {
    text += "<\(name)\(Self.attributes(attributes))>"
  }

  mutating func close(_ name: String) { text += "</\(name)>" }

  /// `<name …>escaped text</name>`.
  mutating func element(_ name: String, _ attributes: [(String, String)] = [], _ content: String) {
    text += "<\(name)\(Self.attributes(attributes))>\(Self.escape(content))</\(name)>"
  }

  /// `<name …/>`.
  mutating func empty(_ name: String, _ attributes: [(String, String)] = []) {
    text += "<\(name)\(Self.attributes(attributes))/>"
  }

  /// Markup made elsewhere (already escaped).
  mutating func raw(_ markup: String) { text += markup }

  mutating func newline() { text += "\n" }

  mutating func wrap(
    _ name: String, _ attributes: [(String, String)] = [], _ body: (inout Markup) -> Void
  ) {
    open(name, attributes)
    body(&self)
    close(name)
  }
}

/// Numbers as the page writes them: coordinates rounded to 0.1 px, data values exactly (the
/// shortest text that reads back as the same Double), labels humanised by the caller.
enum Number {
  static func coordinate(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    if rounded == 0 { return "0" }
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.1f", rounded)
  }

  static func exact(_ value: Double) -> String { "\(value)" }
}

/// The start every page shares: doctype, language, character set, colour schemes, title, style.
enum PageHead {
  static func open(_ page: inout Markup, title: String) {
    page.raw("<!DOCTYPE html>\n")
    page.open("html", [("lang", "zh-CN")])
    page.open("head")
    page.empty("meta", [("charset", "utf-8")])
    page.empty("meta", [("name", "viewport"), ("content", "width=device-width, initial-scale=1")])
    page.empty("meta", [("name", "color-scheme"), ("content", "light dark")])
    page.element("title", [], title)
    page.element("style", [], Style.css)
    page.close("head")
    page.newline()
    page.open("body")
  }
}
