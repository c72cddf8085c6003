include(CMakePackageConfigHelpers)
install(TARGETS ddsafe_core ddsafe_journal EXPORT ddsafeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY lib/include/ddsafe journal/include/ddsafe DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT ddsafeTargets NAMESPACE ddsafe:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ddsafe)
configure_package_config_file(cmake/ddsafeConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/ddsafeConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ddsafe)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/ddsafeConfigVersion.cmake
  COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ddsafeConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/ddsafeConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/ddsafe)

# pkg-config: ddsafe.pc, relocatable (${pcfiledir}), so a consumer links the static libraries
# with `pkg-config --static --libs ddsafe` (Requires.private/Libs.private carry their deps).
set(_ddsafe_pc_dir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH DDSAFE_PC_TO_PREFIX /prefix/${_ddsafe_pc_dir} /prefix)
string(REGEX REPLACE "/$" "" DDSAFE_PC_TO_PREFIX "${DDSAFE_PC_TO_PREFIX}")
configure_file(cmake/ddsafe.pc.in ${CMAKE_CURRENT_BINARY_DIR}/ddsafe.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/ddsafe.pc DESTINATION ${_ddsafe_pc_dir})

include(cmake/package.cmake)
