#include "sim/token_index.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace rb::sim {
namespace {

TEST(TokenIndex, AssignFindEraseAndReplace) {
  TokenIndex index;
  EXPECT_EQ(index.find(7), nullptr);
  EXPECT_FALSE(index.erase(7));
  index.assign(7, 70);
  index.assign(0, 1);  // zero is a token like any other
  ASSERT_NE(index.find(7), nullptr);
  EXPECT_EQ(*index.find(7), 70U);
  EXPECT_EQ(*index.find(0), 1U);
  index.assign(7, 71);
  EXPECT_EQ(*index.find(7), 71U);
  EXPECT_EQ(index.size(), 2U);
  EXPECT_TRUE(index.erase(7));
  EXPECT_EQ(index.find(7), nullptr);
  EXPECT_EQ(index.size(), 1U);
}

// Random use with keys drawn from a small range, so probe runs collide, wrap around the
// table's end and lose members in the middle. std::unordered_map is the reference.
TEST(TokenIndex, AgreesWithUnorderedMapUnderChurn) {
  std::mt19937_64 random(7);
  TokenIndex index;
  std::unordered_map<std::uint64_t, std::uint64_t> reference;
  for (int step = 0; step < 200000; ++step) {
    const std::uint64_t token = (random() % 3000) << (step % 2 == 0 ? 0 : 40);
    switch (random() % 3) {
      case 0:
        index.assign(token, static_cast<std::uint64_t>(step));
        reference[token] = static_cast<std::uint64_t>(step);
        break;
      case 1:
        ASSERT_EQ(index.erase(token), reference.erase(token) == 1);
        break;
      default: {
        const std::uint64_t* found = index.find(token);
        const auto expected = reference.find(token);
        ASSERT_EQ(found != nullptr, expected != reference.end());
        if (found != nullptr) {
          ASSERT_EQ(*found, expected->second);
        }
      }
    }
    ASSERT_EQ(index.size(), reference.size());
  }
  for (const auto& [token, id] : reference) {
    ASSERT_NE(index.find(token), nullptr);
    EXPECT_EQ(*index.find(token), id);
  }
}

}  // namespace
}  // namespace rb::sim
