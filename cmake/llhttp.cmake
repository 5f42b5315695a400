# llhttp comes from Debian's node-llhttp package as C sources; build them as a static library.
set(LLHTTP_SOURCE_DIR /usr/share/llhttp CACHE PATH "Folder with llhttp's C sources")
set(LLHTTP_INCLUDE_DIR /usr/share/include/llhttp CACHE PATH "Folder with llhttp.h")
if(NOT EXISTS ${LLHTTP_SOURCE_DIR}/llhttp.c OR NOT EXISTS ${LLHTTP_INCLUDE_DIR}/llhttp.h)
  message(FATAL_ERROR "llhttp sources not found in ${LLHTTP_SOURCE_DIR}: install node-llhttp "
                      "(scripts/install-deps.sh does it)")
endif()
add_library(llhttp STATIC ${LLHTTP_SOURCE_DIR}/llhttp.c ${LLHTTP_SOURCE_DIR}/api.c
                          ${LLHTTP_SOURCE_DIR}/http.c)
target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_INCLUDE_DIR})
# Third-party C code: keep our warning flags away from it.
target_compile_options(llhttp PRIVATE -w)
set_target_properties(llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON)
