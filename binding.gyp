{
  "targets": [
    {
      "target_name": "flameprof_frames",
      "sources": ["src/native/svg-frames.c"],
      "cflags": ["-O2", "-ffp-contract=off", "-fno-fast-math"],
      "xcode_settings": { "OTHER_CFLAGS": ["-O2", "-ffp-contract=off", "-fno-fast-math"] }
    }
  ]
}
