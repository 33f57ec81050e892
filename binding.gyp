# The same addon as CMakeLists.txt, for node-gyp. Both read the source list from native/sources.txt.
{
  "targets": [
    {
      "target_name": "sluice_native",
      "sources": [
        "<!@(node -p \"require('fs').readFileSync('native/sources.txt', 'utf8').trim().split(/\\s+/).join(' ')\")"
      ],
      "include_dirs": [
        "native",
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-fvisibility=hidden"],
      "xcode_settings": {
        "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
        "GCC_OPTIMIZATION_LEVEL": "2"
      }
    }
  ]
}
