# libyuv: Debian's libyuv-dev ships no pkg-config file, so pkg-config first, then the plain library.
pkg_check_modules(LIBYUV QUIET IMPORTED_TARGET libyuv)
if(LIBYUV_FOUND)
  add_library(Libyuv::Libyuv ALIAS PkgConfig::LIBYUV)
else()
  find_path(LIBYUV_INCLUDE_DIR libyuv.h)
  find_library(LIBYUV_LIBRARY yuv)
  if(NOT LIBYUV_INCLUDE_DIR OR NOT LIBYUV_LIBRARY)
    message(FATAL_ERROR "libyuv not found: install it (Debian: apt-get install libyuv-dev)")
  endif()
  add_library(Libyuv::Libyuv UNKNOWN IMPORTED)
  set_target_properties(Libyuv::Libyuv PROPERTIES
    IMPORTED_LOCATION "${LIBYUV_LIBRARY}" INTERFACE_INCLUDE_DIRECTORIES "${LIBYUV_INCLUDE_DIR}")
endif()
