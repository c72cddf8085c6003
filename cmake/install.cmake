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
