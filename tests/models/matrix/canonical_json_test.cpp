#include <catch2/catch.hpp>

#include "models/matrix/base64.hpp"
#include "models/matrix/canonical_json.hpp"

using namespace dmlssim::models::matrix;
using nlohmann::json;

TEST_CASE("canonical JSON matches the specification's examples", "[matrix][canonical_json]") {
  // Matrix specification, appendices, "Canonical JSON", examples.
  CHECK(canonical_json(json::parse("{}")) == "{}");
  CHECK(canonical_json(json::parse(R"({"one": 1, "two": "Two"})")) == R"({"one":1,"two":"Two"})");
  CHECK(canonical_json(json::parse(R"({"b": "2", "a": "1"})")) == R"({"a":"1","b":"2"})");
  CHECK(canonical_json(json::parse(R"({"b":"2","a":"1"})")) == R"({"a":"1","b":"2"})");
  CHECK(
      canonical_json(json::parse(R"({
    "auth": {
      "success": true,
      "mxid": "@john.doe:example.com",
      "profile": {
        "display_name": "John Doe",
        "three_pids": [
          {"medium": "email", "address": "john.doe@example.org"},
          {"medium": "msisdn", "address": "123456789"}
        ]
      }
    }
  })")) ==
      R"({"auth":{"mxid":"@john.doe:example.com","profile":{"display_name":"John Doe","three_pids":[{"address":"john.doe@example.org","medium":"email"},{"address":"123456789","medium":"msisdn"}]},"success":true}})");
  CHECK(canonical_json(json::parse(R"({"a": "日本語"})")) == R"({"a":"日本語"})");
  CHECK(canonical_json(json::parse(R"({"本": 2, "日": 1})")) == R"({"日":1,"本":2})");
  CHECK(canonical_json(json::parse(R"({"a": "\u65E5"})")) == R"({"a":"日"})");
  CHECK(canonical_json(json::parse(R"({"a": null})")) == R"({"a":null})");
  CHECK(canonical_json(json::parse(R"({"a": -0, "b": 1e10})")) == R"({"a":0,"b":10000000000})");
}

TEST_CASE("canonical JSON escapes only what it must", "[matrix][canonical_json]") {
  // Expected text from Python's json.dumps(..., ensure_ascii=False, separators=(',', ':')).
  const json v = {{"a", std::string("\x01\n\"\\/\xe6\x97\xa5\x1f")}};
  CHECK(canonical_json(v) == "{\"a\":\"\\u0001\\n\\\"\\\\/\xe6\x97\xa5\\u001f\"}");
}

TEST_CASE("canonical JSON refuses what it cannot represent", "[matrix][canonical_json]") {
  CHECK_THROWS_AS(canonical_json(json::parse(R"({"a": 1.5})")), CanonicalJsonError);
  CHECK_THROWS_AS(canonical_json(json{{"a", int64_t{1} << 53}}), CanonicalJsonError);
  CHECK_THROWS_AS(canonical_json(json{{"a", -(int64_t{1} << 53)}}), CanonicalJsonError);
  CHECK(canonical_json(json{{"a", (int64_t{1} << 53) - 1}}) == R"({"a":9007199254740991})");
  CHECK_THROWS_AS(canonical_json(json{{"a", std::string("\xff")}}), CanonicalJsonError);
}

TEST_CASE("unpadded Base64 matches the specification's examples", "[matrix][base64]") {
  // Matrix specification, appendices, "Unpadded Base64".
  CHECK(unpadded_base64("") == "");
  CHECK(unpadded_base64("f") == "Zg");
  CHECK(unpadded_base64("fo") == "Zm8");
  CHECK(unpadded_base64("foo") == "Zm9v");
  CHECK(unpadded_base64("foob") == "Zm9vYg");
  CHECK(unpadded_base64("fooba") == "Zm9vYmE");
  CHECK(unpadded_base64("foobar") == "Zm9vYmFy");
  CHECK(unpadded_base64_url("\xfb\xff") == "-_8");
  CHECK(unpadded_base64("\xfb\xff") == "+/8");
}
