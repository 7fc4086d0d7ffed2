import XCTest

@testable import Signing

final class CanonicalizerTests: XCTestCase {
  func canonical(_ text: String) throws -> String {
    String(decoding: try Canonicalizer.canonicalize(Array(text.utf8)), as: UTF8.self)
  }

  /// RFC 8785 Appendix B's IEEE-754 → text table, plus shortest-digit cases.
  func testNumberFormattingFollowsECMAScript() {
    let vectors: [(UInt64, String)] = [
      (0x0000_0000_0000_0000, "0"),
      (0x8000_0000_0000_0000, "0"),
      (0x0000_0000_0000_0001, "5e-324"),
      (0x8000_0000_0000_0001, "-5e-324"),
      (0x7FEF_FFFF_FFFF_FFFF, "1.7976931348623157e+308"),
      (0xFFEF_FFFF_FFFF_FFFF, "-1.7976931348623157e+308"),
      (0x4340_0000_0000_0000, "9007199254740992"),
      (0xC340_0000_0000_0000, "-9007199254740992"),
      (0x4430_0000_0000_0000, "295147905179352830000"),
      (0x44B5_2D02_C7E1_4AF5, "9.999999999999997e+22"),
      (0x44B5_2D02_C7E1_4AF6, "1e+23"),
      (0x44B5_2D02_C7E1_4AF7, "1.0000000000000001e+23"),
      (0x444B_1AE4_D6E2_EF4E, "999999999999999700000"),
      (0x444B_1AE4_D6E2_EF4F, "999999999999999900000"),
      (0x444B_1AE4_D6E2_EF50, "1e+21"),
      (0x3EB0_C6F7_A0B5_ED8C, "9.999999999999997e-7"),
      (0x3EB0_C6F7_A0B5_ED8D, "0.000001"),
      (0x41B3_DE43_5555_5553, "333333333.3333332"),
      (0x41B3_DE43_5555_5554, "333333333.33333325"),
      (0x41B3_DE43_5555_5555, "333333333.3333333"),
      (0x41B3_DE43_5555_5556, "333333333.3333334"),
      (0x41B3_DE43_5555_5557, "333333333.33333343"),
      (0xBECB_F647_612F_3696, "-0.0000033333333333333333"),
      (0x4314_3FF3_C1CB_0959, "1424953923781206.2"),
    ]
    for (bits, expected) in vectors {
      XCTAssertEqual(
        Canonicalizer.number(Double(bitPattern: bits)), expected, String(bits, radix: 16))
    }
    XCTAssertEqual(Canonicalizer.number(1e21), "1e+21")
    XCTAssertEqual(Canonicalizer.number(1e20), "100000000000000000000")
    XCTAssertEqual(Canonicalizer.number(1e-7), "1e-7")
    XCTAssertEqual(Canonicalizer.number(1e-6), "0.000001")
    XCTAssertEqual(Canonicalizer.number(0.1 + 0.2), "0.30000000000000004")
    XCTAssertEqual(Canonicalizer.number(100), "100")
    XCTAssertEqual(Canonicalizer.number(-1.5), "-1.5")
    XCTAssertEqual(Canonicalizer.number(123.456e-10), "1.23456e-8")
  }

  func testMembersSortByUTF16CodeUnits() throws {
    // U+1F600 is D83D DE00 in UTF-16: it sorts before U+FB33, unlike by code point.
    let input =
      #"{"\u20ac":"Euro","\r":"CR","\ufb33":"Hebrew","1":"One","\ud83d\ude00":"Smiley","\u0080":"Control","\u00f6":"Latin"}"#
    let expected =
      "{\"\\r\":\"CR\",\"1\":\"One\",\"\u{80}\":\"Control\",\"ö\":\"Latin\",\"€\":\"Euro\",\"😀\":\"Smiley\",\"דּ\":\"Hebrew\"}"
    XCTAssertEqual(try canonical(input), expected)
  }

  func testMinimalEscaping() throws {
    XCTAssertEqual(
      try canonical(#"["\u0000\u0001\b\t\n\f\r\u001f","\"\\\/","\u007f\u2028é"]"#),
      "[\"\\u0000\\u0001\\b\\t\\n\\f\\r\\u001f\",\"\\\"\\\\/\",\"\u{7f}\u{2028}é\"]")
  }

  func testWhitespaceAndNesting() throws {
    XCTAssertEqual(
      try canonical(" { \"b\" : [ 1 , { \"d\" : true , \"c\" : null } ] , \"a\" : 1E2 } "),
      #"{"a":100,"b":[1,{"c":null,"d":true}]}"#)
    XCTAssertEqual(try canonical("[]"), "[]")
    XCTAssertEqual(try canonical("{}"), "{}")
    XCTAssertEqual(try canonical("-0.0"), "0")
  }

  func testCanonicalizationIsIdempotentAndPrettyParsesBack() throws {
    let input = #"{"z":[1.5e300,-0,3.0],"a":{"ü":"\u00fc","A":"x\ny"},"m":false}"#
    let once = try Canonicalizer.canonicalize(Array(input.utf8))
    XCTAssertEqual(try Canonicalizer.canonicalize(once), once)
    let pretty = Canonicalizer.pretty(try JSONParser.parse(Array(input.utf8)))
    XCTAssertEqual(try Canonicalizer.canonicalize(pretty), once)
  }

  func testWhatJCSCannotRepresentIsRejected() {
    let bad: [(String, String)] = [
      (#"{"a":1,"a":2}"#, "duplicate member name"),
      (#"["\ud800"]"#, "lone high surrogate"),
      (#"["\udc00x"]"#, "lone low surrogate"),
      ("[1e400]", "outside the range"),
      ("[NaN]", "expected a JSON value"),
      ("[Infinity]", "expected a JSON value"),
      ("[01]", "expected ',' or ']'"),
      ("{\"a\":1", "unexpected end of input"),
      ("[1] x", "unexpected data"),
      ("\"\u{01}\"", "unescaped control character"),
      ("", "unexpected end of input"),
    ]
    for (text, fragment) in bad {
      XCTAssertThrowsError(try Canonicalizer.canonicalize(Array(text.utf8)), text) { error in
        XCTAssertTrue(String(describing: error).contains(fragment), "\(text): \(error)")
      }
    }
    XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]), "invalid UTF-8")
  }

  func testDeepNestingIsRefusedNotRecursed() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    XCTAssertThrowsError(try JSONParser.parse(Array(deep.utf8))) { error in
      XCTAssertTrue(String(describing: error).contains("nesting deeper than 512"))
    }
  }

  func testTooManyValuesAreRefusedNotBuilt() throws {
    XCTAssertEqual(JSONParser.maximumValues, 2_000_000)
    // A flat array of 999 numbers is 1,000 values (the array counts).
    let numbers = { (count: Int) in
      Array(("[" + Array(repeating: "0", count: count).joined(separator: ",") + "]").utf8)
    }
    XCTAssertNoThrow(try JSONParser.parse(numbers(999), maximumValues: 1000))
    XCTAssertThrowsError(try JSONParser.parse(numbers(1000), maximumValues: 1000)) { error in
      XCTAssertTrue(String(describing: error).contains("more than 1000 values"), "\(error)")
    }
    let object = Array(
      ("{" + (0..<600).map { "\"k\($0)\": 1" }.joined(separator: ",") + "}").utf8)
    XCTAssertThrowsError(try JSONParser.parse(object, maximumValues: 600))
  }
}
