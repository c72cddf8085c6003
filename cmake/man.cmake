# Man pages: one source per tool. The OPTIONS come from the tool's own --help (its CLI11
# definition), rendered by Debian's help2man; docs/man/<tool>.h2m adds what --help cannot say
# (description, exit status, environment, files, examples). docs/decisions.md says why.
# Pages are built only with install rules (DDSAFE_INSTALL): a project that embeds ddsafe with
# add_subdirectory() needs neither them nor help2man.
if(DDSAFE_INSTALL)
  find_program(DDSAFE_HELP2MAN help2man)
  if(NOT DDSAFE_HELP2MAN)
    message(FATAL_ERROR "help2man not found: install the Debian package help2man (scripts/deps.sh)")
  endif()
endif()

# ddsafe_man_page(tool): builds <build>/man/<tool>.1 with the target `<tool>-man` and installs it.
function(ddsafe_man_page tool)
  if(NOT DDSAFE_INSTALL)
    return()
  endif()
  set(include ${PROJECT_SOURCE_DIR}/docs/man/${tool}.h2m)
  set(page ${PROJECT_BINARY_DIR}/man/${tool}.1)
  set(helper ${PROJECT_SOURCE_DIR}/cmake/help_for_man.sh)
  set(include_args "")
  set(include_dep "")
  if(EXISTS ${include})
    set(include_args --include=${include})
    set(include_dep ${include})
  else()
    message(WARNING "${tool}: no docs/man/${tool}.h2m; its man page will lack EXIT STATUS and "
                    "the man-page test (docs.man_pages) will fail")
  endif()
  # help2man runs a program with --help/--version and nothing else, so a generated one-line
  # wrapper hands it the tool through help_for_man.sh, which appends the subcommands' help.
  set(wrapper ${PROJECT_BINARY_DIR}/man/${tool})
  file(GENERATE OUTPUT ${wrapper} CONTENT
    "#!/bin/sh\nexec sh '${helper}' '$<TARGET_FILE:${tool}>' \"$@\"\n"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
                     WORLD_EXECUTE)
  add_custom_command(OUTPUT ${page}
    COMMAND ${DDSAFE_HELP2MAN} --no-info --section=1 --source=ddsafe "--manual=User Commands"
            ${include_args} --output=${page} ${wrapper}
    DEPENDS ${tool} ${include_dep} ${helper}
    COMMENT "Generating man page ${tool}.1"
    VERBATIM)
  add_custom_target(${tool}-man ALL DEPENDS ${page})
  install(FILES ${page} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endfunction()
