# Packaging.cmake - install rules for etc/, and CPack (.deb and .rpm).
#
# Included last by the top-level CMakeLists.txt.  Programs and manual
# pages are installed by milter/ and man/; this file installs what an
# operator needs around them:
#
#   /etc/bogusmx/bogusmx.conf       the sample, which equals the defaults
#                                   (a conffile: never overwritten)
#   /etc/mail/m4/bogusmx.m4         Sendmail INPUT_MAIL_FILTER line
#   lib/systemd/system/bogusmx.service
#   lib/sysusers.d/bogusmx.conf     the user bogusmx
#   lib/tmpfiles.d/bogusmx.conf     /var/spool/postfix/bogusmx (the
#                                   default socket's directory) and
#                                   /run/bogusmx
#   share/doc/bogusmx/              README, copyright, changelog.gz and
#                                   examples/ (sample config, Postfix
#                                   snippet, m4 line, bogons.cidr)
#
# The programs read /etc/bogusmx/bogusmx.conf whatever the prefix
# (lib/config.h), so the configuration goes to /etc, not to
# ${prefix}/etc.  The rest follows the prefix; CPack packages with the
# prefix /usr, whatever the build tree was configured with.
#
# `cmake --build BUILD --target package` makes the .deb, and the .rpm
# when rpmbuild is there.

set(BMX_PKG ${PROJECT_SOURCE_DIR}/cmake/pkg)
set(BMX_DOCDIR ${CMAKE_INSTALL_DATAROOTDIR}/doc/${PROJECT_NAME})
set(BMX_PACKAGE_CONTACT "bogusmx maintainers <maintainers@bogusmx.example>"
  CACHE STRING "Maintainer of the .deb and .rpm packages")
set(BMX_PACKAGE_URL "https://bogusmx.example/"
  CACHE STRING "Home page of the .deb and .rpm packages")

# The configuration: installed only when there is none, so that
# `cmake --install` never replaces an edited file; the packages mark it
# as a conffile (dpkg) or %config(noreplace) (rpm).
install(CODE "
  if(NOT EXISTS \"\$ENV{DESTDIR}/etc/bogusmx/bogusmx.conf\")
    file(INSTALL \"${PROJECT_SOURCE_DIR}/etc/bogusmx.conf\"
      DESTINATION \"/etc/bogusmx\"
      PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  else()
    message(STATUS \"Kept: \$ENV{DESTDIR}/etc/bogusmx/bogusmx.conf\")
  endif()")
install(FILES etc/bogusmx.m4 DESTINATION /etc/mail/m4)

# The unit names the daemon by its installed path: /usr/sbin in the
# source, rewritten for another prefix at install time (CPack installs
# with the prefix /usr).
install(CODE "
  file(READ \"${PROJECT_SOURCE_DIR}/etc/bogusmx.service\" unit)
  string(REPLACE \"/usr/sbin/bogusmx-milter\"
    \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SBINDIR}/bogusmx-milter\"
    unit \"\${unit}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/pkg/bogusmx.service\" \"\${unit}\")
  file(INSTALL \"${PROJECT_BINARY_DIR}/pkg/bogusmx.service\"
    DESTINATION \"\${CMAKE_INSTALL_PREFIX}/lib/systemd/system\"
    PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)")
install(FILES etc/bogusmx.sysusers DESTINATION lib/sysusers.d
  RENAME bogusmx.conf)
install(FILES etc/bogusmx.tmpfiles DESTINATION lib/tmpfiles.d
  RENAME bogusmx.conf)

# Manual pages are installed by man/; Debian wants them compressed
# (gzip -9n, as dh_compress does), and man(1) reads them either way.
file(GLOB bmx_man_pages CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/man
  ${PROJECT_SOURCE_DIR}/man/*.[1-8])
foreach(page IN LISTS bmx_man_pages)
  string(REGEX REPLACE ".*\\.([1-8])$" "\\1" section "${page}")
  install(CODE "
    set(rel \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_MANDIR}/man${section}/${page}\")
    set(page \"\$ENV{DESTDIR}\${rel}\")
    if(EXISTS \"\${page}\")
      execute_process(COMMAND gzip -9nf \"\${page}\" RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR \"gzip \${page} failed\")
      endif()
      list(REMOVE_ITEM CMAKE_INSTALL_MANIFEST_FILES \"\${rel}\")
      list(APPEND CMAKE_INSTALL_MANIFEST_FILES \"\${rel}.gz\")
    endif()")
endforeach()

# Documentation.  copyright and changelog.gz are what Debian asks for;
# the changelog is dated from SOURCE_DATE_EPOCH when it is set.
string(TIMESTAMP BMX_PKG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${BMX_PKG}/changelog.in ${PROJECT_BINARY_DIR}/pkg/changelog
  @ONLY)
# copyright: COPYING in Debian's machine-readable format.
file(STRINGS ${PROJECT_SOURCE_DIR}/COPYING bmx_copying)
set(bmx_holder "")
set(bmx_license "")
foreach(line IN LISTS bmx_copying)
  if(line MATCHES "^Copyright \\(c\\) (.*)$")
    set(bmx_holder "${CMAKE_MATCH_1}")
  elseif(bmx_holder AND NOT line MATCHES "^All rights reserved")
    string(APPEND bmx_license " ${line}\n")
  endif()
endforeach()
if(NOT bmx_holder)
  message(FATAL_ERROR "COPYING has no 'Copyright (c) ...' line")
endif()
string(REGEX REPLACE "^ \n" "" bmx_license "${bmx_license}")
string(REPLACE " \n" " .\n" bmx_license "${bmx_license}")
file(WRITE ${PROJECT_BINARY_DIR}/pkg/copyright
  "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
  "Upstream-Name: ${PROJECT_NAME}\n\n"
  "Files: *\n"
  "Copyright: ${bmx_holder}\n"
  "License: BSD-2-clause\n"
  "${bmx_license}")
execute_process(
  COMMAND gzip -9nc ${PROJECT_BINARY_DIR}/pkg/changelog
  OUTPUT_FILE ${PROJECT_BINARY_DIR}/pkg/changelog.gz
  RESULT_VARIABLE bmx_gzip_rc)
if(NOT bmx_gzip_rc EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${PROJECT_BINARY_DIR}/pkg/changelog")
endif()
install(FILES README ${PROJECT_BINARY_DIR}/pkg/copyright
  ${PROJECT_BINARY_DIR}/pkg/changelog.gz DESTINATION ${BMX_DOCDIR})
install(FILES etc/bogusmx.conf etc/postfix-main.cf.snippet etc/bogusmx.m4
  etc/bogons.cidr DESTINATION ${BMX_DOCDIR}/examples)

# CPack: every CPACK_ variable before include(CPack).
set(CPACK_PACKAGE_NAME ${PROJECT_NAME})
set(CPACK_PACKAGE_VENDOR "the bogusmx authors")
set(CPACK_PACKAGE_CONTACT "${BMX_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "milter that refuses recipients whose MX hosts are bogus")
set(CPACK_PACKAGE_DESCRIPTION
  "bogusmx stops backscatter at the SMTP RCPT stage.  For every recipient,
it resolves the domain's MX hosts and their addresses while the client
is still connected, and refuses the recipient with 554 5.7.1 when an MX
host resolves to loopback, private or otherwise reserved addresses, so
that the server never accepts mail it cannot deliver and never bounces
it to a forged sender.  It is a mail filter (milter) for Postfix and
Sendmail.  bogusmx-check shows what the milter would answer.")
set(CPACK_PACKAGE_HOMEPAGE_URL "${BMX_PACKAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/COPYING)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_GENERATOR DEB)
find_program(BMX_RPMBUILD rpmbuild)
if(BMX_RPMBUILD)
  list(APPEND CPACK_GENERATOR RPM)
else()
  message(STATUS "rpmbuild not found: `package` makes the .deb only")
endif()

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_ENHANCES "postfix, sendmail-bin")
# Maintainer scripts (cmake/pkg/deb, named as dpkg wants them).
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${BMX_PKG}/deb/conffiles ${BMX_PKG}/deb/postinst
  ${BMX_PKG}/deb/prerm ${BMX_PKG}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
# The .deb's texts; an RPM summary starts with a capital.
set(CPACK_RPM_PACKAGE_SUMMARY
  "Milter that refuses recipients whose MX hosts are bogus")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_RPM_PACKAGE_URL "${BMX_PACKAGE_URL}")
# rpmbuild takes the Packager tag from the packager macro.
set(CPACK_RPM_SPEC_MORE_DEFINE "%define packager ${BMX_PACKAGE_CONTACT}")
set(CPACK_RPM_PACKAGE_LICENSE BSD-2-Clause)
set(CPACK_RPM_PACKAGE_GROUP "System Environment/Daemons")
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
# CPackRPM would mark every file of an absolute destination as %config,
# and claim directories other packages own.
set(CPACK_RPM_USER_FILELIST
  "%config(noreplace) /etc/bogusmx/bogusmx.conf"
  "%config(noreplace) /etc/mail/m4/bogusmx.m4")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
  /etc/mail /usr/sbin /usr/share/man /usr/lib/systemd /usr/lib/systemd/system
  /usr/lib/sysusers.d
  /usr/lib/tmpfiles.d /usr/share/man/man1 /usr/share/man/man5
  /usr/share/man/man8)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${BMX_PKG}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${BMX_PKG}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${BMX_PKG}/rpm/postun.sh)

include(CPack)
