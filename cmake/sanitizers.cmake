add_library(ddsafe_sanitizers INTERFACE)
if(DDSAFE_SANITIZE)
  list(JOIN DDSAFE_SANITIZE "," _ddsafe_san)
  target_compile_options(ddsafe_sanitizers INTERFACE -fsanitize=${_ddsafe_san} -fno-omit-frame-pointer
    -fno-sanitize-recover=all)
  target_link_options(ddsafe_sanitizers INTERFACE -fsanitize=${_ddsafe_san})
endif()
