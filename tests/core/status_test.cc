#include "core/status.h"

#include <gtest/gtest.h>

#include "support/test_support.h"

namespace genomefed {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return InvalidArgument("not positive: " + std::to_string(v));
  return v;
}

Result<int> Doubled(int v) {
  GF_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status Check(int v) {
  GF_RETURN_IF_ERROR(ParsePositive(v).status());
  return Status::Ok();
}

TEST(Status, OkAndErrors) {
  EXPECT_TRUE(Status::Ok().ok());
  Status s = NotFound("dataset x");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not_found: dataset x");
  EXPECT_EQ(s.WithContext("open").message(), "open: dataset x");
}

TEST(Status, MacrosPropagate) {
  ASSERT_OK(Doubled(4));
  EXPECT_EQ(*Doubled(4), 8);
  EXPECT_EQ(Doubled(-1).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Check(3).ok());
  EXPECT_EQ(Check(0).message(), "not positive: 0");
}

TEST(Status, EveryCodeMapsToHttpAndExit) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401);
  EXPECT_EQ(ExitCodeFor(StatusCode::kOk), 0);
  for (int c = 1; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto code = static_cast<StatusCode>(c);
    EXPECT_NE(ExitCodeFor(code), 0) << StatusCodeName(code);
    EXPECT_GE(HttpStatusFor(code), 400) << StatusCodeName(code);
    EXPECT_NE(StatusCodeName(code), "unknown");
  }
}

}  // namespace
}  // namespace genomefed
