// Fuzzes the GLUE TSV readers with every task's train/dev/test layout, strict and skipping.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "glue/tasks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::string path = "/tmp/glue_fuzz." + std::to_string(getpid()) + ".tsv";
  FILE* f = fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  for (const auto& task : electra::GlueTasks()) {
    for (const electra::SplitLayout* layout : {&task.train, &task.dev, &task.test}) {
      for (bool skip : {false, true}) {
        electra::ReadStats stats;
        auto rows = electra::ReadGlueFile(task, *layout, path, skip, &stats);
        if (!rows.ok()) continue;
        for (const auto& r : *rows) {
          if (!task.regression() && layout->label != -1 && (r.label < 0 || r.label >= static_cast<int>(task.labels.size()))) {
            __builtin_trap();
          }
        }
      }
    }
  }
  return 0;
}
