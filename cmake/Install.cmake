include(CMakePackageConfigHelpers)
install(FILES include/polyenc/polyenc.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/polyenc)
install(TARGETS polyenc polyenc_static EXPORT polyencTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
if(TARGET polyenc_cli)
  install(TARGETS polyenc_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
install(EXPORT polyencTargets NAMESPACE polyenc:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/polyenc)
configure_package_config_file(cmake/polyencConfig.cmake.in ${PROJECT_BINARY_DIR}/polyencConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/polyenc)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/polyencConfigVersion.cmake COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/polyencConfig.cmake ${PROJECT_BINARY_DIR}/polyencConfigVersion.cmake cmake/FindLibyuv.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/polyenc)
configure_file(cmake/polyenc.pc.in ${PROJECT_BINARY_DIR}/polyenc.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/polyenc.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
