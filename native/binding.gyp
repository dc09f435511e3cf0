{
  # GenomAIc's native alignment kernel (engine/align/native.ts loads it).
  # Portable flags only: x86-64 baseline (SSE2) / armv8 baseline, never -march=native, so the
  # shipped .node runs on any machine of its architecture. Build: `npm run build:native`.
  "targets": [
    {
      "target_name": "genomaic_align",
      "sources": [
        "src/binding.c",
        "src/sketch.c",
        "src/chain.c",
        "src/dp.c",
        "src/extend.c"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags": ["-std=c11", "-O3", "-fno-strict-aliasing", "-Wall", "-Wextra", "-Wno-unused-parameter"],
      "cflags!": ["-O2", "-O1", "-O0"],
      "xcode_settings": {
        "GCC_OPTIMIZATION_LEVEL": "3",
        "OTHER_CFLAGS": ["-std=c11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
      },
      "msvs_settings": {
        "VCCLCompilerTool": { "Optimization": 2 }
      }
    }
  ]
}
