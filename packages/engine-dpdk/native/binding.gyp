{
  "targets": [
    {
      "target_name": "binio_dpdk",
      "sources": ["addon.cc", "eal.cc", "port.cc", "pool.cc", "burst.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-O3", "-Wall", "-Wextra", "<!@(pkg-config --cflags libdpdk)"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["<!@(pkg-config --libs libdpdk)", "-lrte_net_ring"]
    }
  ]
}
