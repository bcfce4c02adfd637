#include <catch2/catch.hpp>

#include "scenarios/units.hpp"

using namespace dmlssim::scenarios;

TEST_CASE("bandwidths parse with decimal units and print canonically", "[units]") {
  CHECK(parse_bandwidth("100Mbit") == 1e8);
  CHECK(parse_bandwidth("1.5Gbit") == 1.5e9);
  CHECK(parse_bandwidth("512kbit") == 512e3);
  CHECK(parse_bandwidth("800bit") == 800);
  CHECK(format_bandwidth(1e8) == "100Mbit");
  CHECK(format_bandwidth(1.5e9) == "1.5Gbit");
  for (const char* bad : {"100Mbps", "100", "Mbit", "-1Mbit", "0Gbit", "1e3", "fast"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_bandwidth(bad), std::invalid_argument);
  }
}

TEST_CASE("probabilities accept fractions and percentages in range", "[units]") {
  CHECK(parse_probability("0.25") == 0.25);
  CHECK(parse_probability("1%") == Approx(0.01));
  CHECK(parse_probability("0") == 0);
  CHECK_THROWS(parse_probability("1.5"));
  CHECK_THROWS(parse_probability("-1%"));
  CHECK_THROWS(parse_probability("half"));
}

TEST_CASE("call syntax", "[units]") {
  Call c = parse_call("weibull(k=0.7)");
  CHECK(c.name == "weibull");
  REQUIRE(c.args.size() == 1);
  CHECK(c.args[0] == std::make_pair(std::string("k"), std::string("0.7")));
  c = parse_call(" dmls( fork_choice = confirmation_tag , retention=7d ) ");
  CHECK(c.name == "dmls");
  CHECK(c.args.size() == 2);
  CHECK(c.args[1].second == "7d");
  CHECK(parse_call("exponential").args.empty());
  CHECK(parse_call("none()").args.empty());
  for (const char* bad :
       {"", "Weibull", "w(k)", "w(k=1", "w(k=1,)", "w(k=1, k=2)", "w(=1)", "w(k=)"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_call(bad), std::invalid_argument);
  }
}

TEST_CASE("numbers", "[units]") {
  CHECK(parse_number("2.5") == 2.5);
  CHECK(parse_number("-3") == -3);
  CHECK_THROWS(parse_number("2.5x"));
  CHECK_THROWS(parse_number(""));
  CHECK_THROWS(parse_number("inf"));
}
