#include "base/allocator.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "gtest/gtest.h"

namespace electra {
namespace {

// The number of blocks glibc currently serves with their own mmap.
size_t MappedBlocks() { return mallinfo2().hblks; }

void* Touch(size_t n) {
  void* p = std::malloc(n);
  std::memset(p, 1, n);
  return p;
}

TEST(AllocatorTest, MultiMegabyteBlocksComeFromTheHeapAfterTuning) {
  // glibc's default: a 4 MiB block gets its own mapping.
  void* before = Touch(4 << 20);
  EXPECT_EQ(MappedBlocks(), 1u);
  std::free(before);
  EXPECT_EQ(MappedBlocks(), 0u);

  TuneAllocatorForTensors();
  void* a = Touch(4 << 20);
  void* b = Touch(16 << 20);
  EXPECT_EQ(MappedBlocks(), 0u);  // both from the heap
  std::free(a);
  std::free(b);
  // Freed memory stays with the process for the next step's tensors.
  EXPECT_GE(mallinfo2().fordblks, static_cast<size_t>(20 << 20));
}

}  // namespace
}  // namespace electra
