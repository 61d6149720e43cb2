#include "http/url.h"

#include <gtest/gtest.h>

#include <random>

#include "support/test_support.h"

namespace genomefed::http {
namespace {

TEST(PercentDecode, DecodesEscapesOfBothCases) {
  auto r = PercentDecode("a%20b%2Fc%2fd%7E");
  ASSERT_OK(r);
  EXPECT_EQ(*r, "a b/c/d~");
}

TEST(PercentDecode, PlusIsSpaceOnlyInQueries) {
  EXPECT_EQ(*PercentDecode("a+b", /*plus_as_space=*/true), "a b");
  EXPECT_EQ(*PercentDecode("a+b", /*plus_as_space=*/false), "a+b");
}

TEST(PercentDecode, MalformedEscapesAreErrorsWithOffset) {
  for (const char* bad : {"%", "abc%", "%2", "x%2", "%G1", "%1G", "%%20", "a%zzb"}) {
    auto r = PercentDecode(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(r.status().message().find("offset"), std::string::npos) << r.status().message();
  }
  auto r = PercentDecode("abc%zz");
  EXPECT_NE(r.status().message().find("offset 3"), std::string::npos) << r.status().message();
}

TEST(PercentDecode, RejectsEncodedNul) {
  auto r = PercentDecode("a%00b");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("%00"), std::string::npos);
}

TEST(PercentDecode, KeepsUtf8Bytes) { EXPECT_EQ(*PercentDecode("%C3%A9"), "\xC3\xA9"); }

TEST(PercentEncode, RoundTripsEveryByte) {
  std::string all;
  for (int c = 1; c < 256; ++c) all.push_back(static_cast<char>(c));
  std::string enc = PercentEncode(all);
  EXPECT_EQ(enc.find_first_of(" /?&=#%+", 0), enc.find('%'));  // only escapes contain '%'
  auto dec = PercentDecode(enc);
  ASSERT_OK(dec);
  EXPECT_EQ(*dec, all);
  EXPECT_EQ(PercentEncode("A-z_0.9~"), "A-z_0.9~");
  EXPECT_EQ(PercentEncode("a b/c"), "a%20b%2Fc");
}

TEST(SplitTarget, SeparatesPathQueryAndDropsFragment) {
  Target t = SplitTarget("/api/g_variants?start=1&end=2#top");
  EXPECT_EQ(t.path, "/api/g_variants");
  EXPECT_EQ(t.query, "start=1&end=2");
  t = SplitTarget("/api/info");
  EXPECT_EQ(t.path, "/api/info");
  EXPECT_EQ(t.query, "");
  t = SplitTarget("/a?");
  EXPECT_EQ(t.path, "/a");
  EXPECT_EQ(t.query, "");
  t = SplitTarget("/a?x=1?y=2");
  EXPECT_EQ(t.query, "x=1?y=2");
}

TEST(ParseQuery, ParsesRepeatsEmptiesAndEscapes) {
  auto q = ParseQuery(
      "referenceName=22&start=16050074&filters=HP%3A0001&filters=NCIT:C16576"
      "&empty=&flag&&alternateBases=A+C");
  ASSERT_OK(q);
  EXPECT_EQ(q->count("filters"), 2u);
  auto range = q->equal_range("filters");
  std::vector<std::string> filters;
  for (auto it = range.first; it != range.second; ++it) filters.push_back(it->second);
  EXPECT_EQ(filters, (std::vector<std::string>{"HP:0001", "NCIT:C16576"}));
  EXPECT_EQ(q->find("referenceName")->second, "22");
  EXPECT_EQ(q->find("empty")->second, "");
  EXPECT_EQ(q->find("flag")->second, "");
  EXPECT_EQ(q->find("alternateBases")->second, "A C");
  EXPECT_EQ(q->size(), 7u);
}

TEST(ParseQuery, EmptyQueryIsEmpty) {
  auto q = ParseQuery("");
  ASSERT_OK(q);
  EXPECT_TRUE(q->empty());
}

TEST(ParseQuery, ValueWithEqualsKeepsTheRest) {
  auto q = ParseQuery("a=b=c");
  ASSERT_OK(q);
  EXPECT_EQ(q->find("a")->second, "b=c");
}

TEST(ParseQuery, MalformedEscapeNamesTheParameter) {
  auto q = ParseQuery("ok=1&start=12%G4");
  ASSERT_FALSE(q.ok());
  EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(q.status().message().find("'start'"), std::string::npos) << q.status().message();
  q = ParseQuery("bad%=1");
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("name"), std::string::npos) << q.status().message();
}

}  // namespace
}  // namespace genomefed::http

namespace genomefed::http {
namespace {

// Random bytes (fixed seed, bounded): the parsers return a Status or a value, never crash, and
// whatever PercentEncode produces decodes back to the input.
TEST(UrlRandomized, NeverCrashAndEncodeRoundTrips) {
  std::mt19937 rng(20261122);
  const std::string alphabet = "%+=&?#/abcAF09 \x01\xff";
  for (int iter = 0; iter < 20000; ++iter) {
    std::string s(rng() % 24, '\0');
    for (char& c : s) {
      c = (rng() % 4 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    auto q = ParseQuery(s);
    if (!q.ok()) {
      EXPECT_EQ(q.status().code(), StatusCode::kInvalidArgument);
    }
    Target t = SplitTarget(s);
    EXPECT_LE(t.path.size() + t.query.size(), s.size());
    auto d = PercentDecode(s);
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
    }
    if (s.find('\0') == std::string::npos) {
      auto back = PercentDecode(PercentEncode(s));
      ASSERT_OK(back);
      EXPECT_EQ(*back, s);
    }
  }
}

}  // namespace
}  // namespace genomefed::http
