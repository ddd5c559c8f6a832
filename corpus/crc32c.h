// CRC-32C (Castagnoli), as TFRecord and leveldb use it. Uses the SSE4.2 crc32 instruction when
// the CPU has it (checked once at run time) and a slicing-by-8 table otherwise.
#ifndef ELECTRA_CORPUS_CRC32C_H_
#define ELECTRA_CORPUS_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace electra {
namespace crc32c {

// CRC of data[0, n) continuing from the CRC `init` of earlier bytes (0 for none).
uint32_t Extend(uint32_t init, const void* data, size_t n);
inline uint32_t Value(const void* data, size_t n) { return Extend(0, data, n); }

// The two implementations, for tests and benchmarks.
uint32_t ExtendPortable(uint32_t init, const void* data, size_t n);
uint32_t ExtendHardware(uint32_t init, const void* data, size_t n);
bool HardwareAvailable();

// A CRC stored next to the data it covers is masked: computing the CRC of a string that holds
// embedded CRCs is then less likely to give degenerate results (TFRecord, leveldb).
constexpr uint32_t kMaskDelta = 0xa282ead8u;
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace crc32c
}  // namespace electra

#endif  // ELECTRA_CORPUS_CRC32C_H_
