#include "corpus/crc32c.h"

#include <cstring>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace electra {
namespace crc32c {
namespace {

using Impl = uint32_t (*)(uint32_t, const void*, size_t);

class Crc32cTest : public testing::TestWithParam<Impl> {};

// Check values from RFC 3720 (iSCSI) B.4 and the CRC catalogue.
TEST_P(Crc32cTest, StandardCheckValues) {
  Impl f = GetParam();
  EXPECT_EQ(f(0, "123456789", 9), 0xe3069283u);
  std::vector<uint8_t> buf(32, 0);
  EXPECT_EQ(f(0, buf.data(), 32), 0x8a9136aau);
  std::fill(buf.begin(), buf.end(), 0xff);
  EXPECT_EQ(f(0, buf.data(), 32), 0x62a8ab43u);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(f(0, buf.data(), 32), 0x46dd794eu);
  for (int i = 0; i < 32; ++i) buf[i] = static_cast<uint8_t>(31 - i);
  EXPECT_EQ(f(0, buf.data(), 32), 0x113fdb5cu);
  EXPECT_EQ(f(0, "", 0), 0u);
}

TEST_P(Crc32cTest, ExtendEqualsWholeAtEverySplit) {
  Impl f = GetParam();
  std::string s = "hello world, this string is longer than sixteen bytes";
  uint32_t whole = f(0, s.data(), s.size());
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    EXPECT_EQ(f(f(0, s.data(), cut), s.data() + cut, s.size() - cut), whole) << cut;
  }
}

INSTANTIATE_TEST_SUITE_P(Impls, Crc32cTest, testing::Values(&ExtendPortable, &ExtendHardware, &Extend));

TEST(Crc32cMaskTest, MaskRoundTripsAndDiffers) {
  uint32_t crc = Value("foo", 3);
  EXPECT_NE(Mask(crc), crc);
  EXPECT_NE(Mask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Mask(crc)), crc);
  EXPECT_EQ(Unmask(Unmask(Mask(Mask(crc)))), crc);
}

}  // namespace
}  // namespace crc32c
}  // namespace electra
