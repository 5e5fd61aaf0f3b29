{
  "targets": [
    {
      "target_name": "flameprof_native",
      "sources": ["src/native/addon.c", "src/native/folded-log.c", "src/native/memory.c", "src/native/svg-frames.c", "src/native/write-behind.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math"],
      "conditions": [["OS!='win'", { "libraries": ["-lpthread"] }]],
      "xcode_settings": { "OTHER_CFLAGS": ["-O2", "-ffp-contract=off", "-fno-fast-math"] }
    }
  ]
}
