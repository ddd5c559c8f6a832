// Allocator settings for processes that run LibTorch on the CPU.
#ifndef ELECTRA_BASE_ALLOCATOR_H_
#define ELECTRA_BASE_ALLOCATOR_H_

namespace electra {

// glibc serves every block of 128 KiB or more with its own mmap and gives it back with munmap
// when freed, so a training step that creates and frees tensors of a few MB (logits, Gumbel
// noise, activations) pays thousands of mmap/munmap calls and fresh page faults per second
// (a third of the CPU time of a tiny-model step here). This keeps such blocks (up to 32 MiB)
// in the heap and stops trimming it: freed memory is reused, not returned and faulted in again.
// A MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_ or MALLOC_TOP_PAD_ set in the environment
// wins over the corresponding setting. Does nothing outside glibc. Call once, early in main().
void TuneAllocatorForTensors();

}  // namespace electra

#endif  // ELECTRA_BASE_ALLOCATOR_H_
