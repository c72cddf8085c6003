# CPack pre-build script: drop the debug information of the staged static libraries
# (CPACK_STRIP_FILES strips executables only; a RelWithDebInfo archive is ~20x larger).
file(GLOB_RECURSE _archives "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*.a")
foreach(a IN LISTS _archives)
  execute_process(COMMAND strip --strip-debug "${a}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "strip --strip-debug '${a}' failed (${rc})")
  endif()
endforeach()
