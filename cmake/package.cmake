# Debian package: `cpack -G DEB` in a build without sanitizers (tests/package/deb.sh).
# One package holds the tools, man pages, completions and the development files; its run-time
# dependencies come from dpkg-shlibdeps, the build dependencies of the static libraries are
# suggested for consumers that link them.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ddsafe)
set(CPACK_PACKAGE_VENDOR ddsafe)
set(CPACK_PACKAGE_CONTACT "ddsafe maintainers <ddsafe@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION
  "Locks (dd-lock) with owner records, leases and fencing tokens; atomic, durable file\n\
replacement (dd-atomic); never-fatal GC of session directories (dd-gc); an append-only\n\
audit journal with queries (dd-journal). Also the static C++20 libraries libddsafe and\n\
libddsafe-journal with CMake and pkg-config files.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Loaded or run at run time, so invisible to dpkg-shlibdeps: dd-launch's default runner is
# bubblewrap's bwrap; dd-lock --backend etcd:// and EtcdLock dlopen libcurl.so.4.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "bubblewrap, libcurl4 | libcurl4t64")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, libsimdjson-dev")
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/strip_static_libs.cmake)
include(CPack)
