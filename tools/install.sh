#!/usr/bin/env bash
# Installs our libzmq where `make install` of libzmq 4.3.5 puts its own, so
# that programs, pkg-config and CMake find it as they find libzmq:
#
#   tools/install.sh [--prefix DIR] [--no-build] [--strip]   # DIR defaults to /usr/local
#   tools/install.sh [--prefix DIR] --uninstall    # removes exactly those files
#
#   DIR/lib/libzmq.so.5.2.5                  the shared library (SONAME libzmq.so.5)
#   DIR/lib/libzmq.so.5 -> libzmq.so.5.2.5
#   DIR/lib/libzmq.so   -> libzmq.so.5
#   DIR/lib/libzmq.a                         the static library
#   DIR/include/zmq.h, DIR/include/zmq_utils.h
#   DIR/lib/pkgconfig/libzmq.pc              prefix=DIR
#   DIR/lib/cmake/ZeroMQ/ZeroMQConfig.cmake, ZeroMQConfigVersion.cmake,
#     ZeroMQTargets.cmake, ZeroMQTargets-release.cmake
#                                            imported targets libzmq, libzmq-static
#
# DESTDIR is honoured as by make: files go under $DESTDIR/DIR, their contents
# name DIR. It first runs `cargo build --release` (as `make install` builds
# what is missing) unless --no-build is given, e.g. when the build ran as
# another user: `tools/build.sh && sudo tools/install.sh --no-build`.
# --strip drops the debug information the release profile keeps (as
# `make install-strip`): libzmq.so.5.2.5 shrinks from ~22 to ~3 MB,
# libzmq.a from ~58 to ~13 MB.
# Why a script and not cargo-c's `cargo cinstall`: docs/design.md, "Installing".
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=/usr/local
BUILD=1
UNINSTALL=0
STRIP=0
usage() { echo "usage: $0 [--prefix DIR] [--no-build] [--strip] [--uninstall]  (DESTDIR honoured)" >&2; exit 2; }
while (($#)); do
    case "$1" in
        --prefix) (($# >= 2)) || usage; PREFIX=$2; shift ;;
        --prefix=*) PREFIX=${1#--prefix=} ;;
        --no-build) BUILD=0 ;;
        --strip) STRIP=1 ;;
        --uninstall) UNINSTALL=1 ;;
        -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
        *) usage ;;
    esac
    shift
done
# The prefix is written into libzmq.pc, so it must be absolute (as
# CMAKE_INSTALL_PREFIX and configure's --prefix); no trailing slash.
[[ "$PREFIX" == /* ]] || { echo "$0: --prefix must be an absolute path" >&2; exit 2; }
[[ "$PREFIX" == / ]] || PREFIX=${PREFIX%/}
DESTDIR=${DESTDIR:-}
LIBDIR=${PREFIX%/}/lib
INCLUDEDIR=${PREFIX%/}/include
PCDIR=$LIBDIR/pkgconfig
CMAKEDIR=$LIBDIR/cmake/ZeroMQ

# libtool's name for libzmq 4.3.5 (-version-info 7:5:2 gives .so.5.2.5), which
# upstream's CMake build copies; the SONAME libzmq.so.5 comes from build.rs.
REAL=libzmq.so.5.2.5
FILES=(
    "$LIBDIR/$REAL" "$LIBDIR/libzmq.so.5" "$LIBDIR/libzmq.so" "$LIBDIR/libzmq.a"
    "$INCLUDEDIR/zmq.h" "$INCLUDEDIR/zmq_utils.h" "$PCDIR/libzmq.pc"
    "$CMAKEDIR/ZeroMQConfig.cmake" "$CMAKEDIR/ZeroMQConfigVersion.cmake"
    "$CMAKEDIR/ZeroMQTargets.cmake" "$CMAKEDIR/ZeroMQTargets-release.cmake"
)
# The one directory that is ours alone; lib/, include/, lib/pkgconfig and
# lib/cmake are shared with other packages and stay, as with make uninstall.
OWN_DIR=$CMAKEDIR

# After installing into (or removing from) a directory the dynamic loader
# searches through its cache, refresh the cache, as libtool's `make install`
# asks the user to; nothing to do for a staged (DESTDIR) or private prefix.
refresh_loader_cache() {
    if [[ -z "$DESTDIR" && $(id -u) -eq 0 ]] && command -v ldconfig >/dev/null &&
        grep -qsx "$LIBDIR" /etc/ld.so.conf /etc/ld.so.conf.d/*.conf; then
        ldconfig
    fi
}

if ((UNINSTALL)); then
    n=0
    for f in "${FILES[@]}"; do
        if [[ -e "$DESTDIR$f" || -L "$DESTDIR$f" ]]; then
            rm -f "$DESTDIR$f"
            n=$((n + 1))
        fi
    done
    rmdir --ignore-fail-on-non-empty "$DESTDIR$OWN_DIR" 2>/dev/null || true
    refresh_loader_cache
    echo "Removed $n files from $DESTDIR$PREFIX"
    exit 0
fi

cd "$REPO"
if ((BUILD)); then
    cargo build --release --quiet
fi
SO=target/release/libzmq.so
A=target/release/libzmq.a
for f in "$SO" "$A" include/zmq.h include/zmq_utils.h; do
    [[ -f "$f" ]] || { echo "$0: $f missing: run tools/build.sh first" >&2; exit 1; }
done
readelf -d "$SO" | grep 'SONAME.*\[libzmq\.so\.5\]' >/dev/null ||
    { echo "$0: $SO has no SONAME libzmq.so.5" >&2; exit 1; }

# The version comes from the header, as libzmq's build takes it from zmq.h.
ver() { sed -n "s/^#define ZMQ_VERSION_$1 \([0-9]*\)$/\1/p" include/zmq.h; }
VERSION="$(ver MAJOR).$(ver MINOR).$(ver PATCH)"
[[ "$VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "$0: no version in include/zmq.h" >&2; exit 1; }

# A libzmq built with drafts tells its users to compile with the draft API
# (libzmq.pc's Cflags, the CMake targets' compile definitions), so that
# zmq.h declares what the library exports. Ours has drafts when the cargo
# feature `draft` (the default) was on: the library exports zmq_poller_new.
DRAFT_CFLAGS="" DRAFT_DEFS="" STATIC_DEFS="ZMQ_STATIC"
if nm -D --defined-only "$SO" | grep -w zmq_poller_new >/dev/null; then
    DRAFT_CFLAGS=" -DZMQ_BUILD_DRAFT_API=1"
    DRAFT_DEFS="ZMQ_BUILD_DRAFT_API"
    STATIC_DEFS="ZMQ_STATIC;ZMQ_BUILD_DRAFT_API"
fi

# What a program linking libzmq.a needs besides it: `cargo rustc --release
# --crate-type staticlib -- --print native-static-libs` says
# -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc -lsodium. libsodium goes through
# its own .pc (Requires.private, as libzmq 4.3.5's .pc names it). -lc and
# -lgcc_s are left to the compiler driver, which links libc and libgcc_s (or
# libgcc_eh with -static) itself; naming -lgcc_s would break `cc -static`.
PRIVATE_LIBS="-lpthread -ldl -lm -lrt -lutil"
CMAKE_PRIVATE_LIBS="-lsodium;-lpthread;-ldl;-lm;-lrt;-lutil"

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT

cat >"$STAGE/libzmq.pc" <<EOF
prefix=$PREFIX
exec_prefix=\${prefix}
libdir=\${exec_prefix}/lib
includedir=\${prefix}/include

Name: libzmq
Description: ZeroMQ $VERSION C API, implemented in Rust (libzmq-rs)
Version: $VERSION
Libs: -L\${libdir} -lzmq
Libs.private: $PRIVATE_LIBS
Requires.private: libsodium
Cflags: -I\${includedir}$DRAFT_CFLAGS
EOF

# The four files libzmq 4.3.5's CMake build installs, written out as CMake's
# configure_package_config_file, write_basic_package_version_file
# (AnyNewerVersion) and install(EXPORT) write them: every path is relative
# to the file's own place, so a DESTDIR-staged tree can be moved.
cat >"$STAGE/ZeroMQConfig.cmake" <<'EOF'
# ZeroMQ cmake module (libzmq-rs, installed by tools/install.sh)
#
# The following import targets are created
#
# ::
#
#   libzmq-static
#   libzmq
#
# This module sets the following variables in your project::
#
#   ZeroMQ_FOUND - true if ZeroMQ found on the system
#   ZeroMQ_INCLUDE_DIR - the directory containing ZeroMQ headers
#   ZeroMQ_LIBRARY -
#   ZeroMQ_STATIC_LIBRARY

get_filename_component(PACKAGE_PREFIX_DIR "${CMAKE_CURRENT_LIST_DIR}/../../../" ABSOLUTE)

macro(set_and_check _var _file)
  set(${_var} "${_file}")
  if(NOT EXISTS "${_file}")
    message(FATAL_ERROR "File or directory ${_file} referenced by variable ${_var} does not exist !")
  endif()
endmacro()

macro(check_required_components _NAME)
  foreach(comp ${${_NAME}_FIND_COMPONENTS})
    if(NOT ${_NAME}_${comp}_FOUND)
      if(${_NAME}_FIND_REQUIRED_${comp})
        set(${_NAME}_FOUND FALSE)
      endif()
    endif()
  endforeach()
endmacro()

if(NOT TARGET libzmq AND NOT TARGET libzmq-static)
  include("${CMAKE_CURRENT_LIST_DIR}/ZeroMQTargets.cmake")

  if (TARGET libzmq)
    get_target_property(ZeroMQ_INCLUDE_DIR libzmq INTERFACE_INCLUDE_DIRECTORIES)
  else ()
    get_target_property(ZeroMQ_INCLUDE_DIR libzmq-static INTERFACE_INCLUDE_DIRECTORIES)
  endif()

  if (TARGET libzmq)
    get_target_property(ZeroMQ_LIBRARY libzmq LOCATION)
  endif()
  if (TARGET libzmq-static)
    get_target_property(ZeroMQ_STATIC_LIBRARY libzmq-static LOCATION)
  endif()
endif()
EOF

cat >"$STAGE/ZeroMQConfigVersion.cmake" <<EOF
# find_package(ZeroMQ [version]) accepts this installation for any version
# up to its own (write_basic_package_version_file's AnyNewerVersion, as
# libzmq 4.3.5 installs it), and only for 64-bit consumers.

set(PACKAGE_VERSION "$VERSION")
EOF
cat >>"$STAGE/ZeroMQConfigVersion.cmake" <<'EOF'

if (PACKAGE_FIND_VERSION_RANGE)
  # Package version must be in the requested version range
  if ((PACKAGE_FIND_VERSION_RANGE_MIN STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION_MIN)
      OR ((PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "INCLUDE" AND PACKAGE_VERSION VERSION_GREATER PACKAGE_FIND_VERSION_MAX)
        OR (PACKAGE_FIND_VERSION_RANGE_MAX STREQUAL "EXCLUDE" AND PACKAGE_VERSION VERSION_GREATER_EQUAL PACKAGE_FIND_VERSION_MAX)))
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
  endif()
else()
  if(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION)
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
    if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
      set(PACKAGE_VERSION_EXACT TRUE)
    endif()
  endif()
endif()

# if the installed or the using project don't have CMAKE_SIZEOF_VOID_P set, ignore it:
if("${CMAKE_SIZEOF_VOID_P}" STREQUAL "")
  return()
endif()

# check that the installed version has the same 32/64bit-ness as the one which is currently searching:
if(NOT CMAKE_SIZEOF_VOID_P STREQUAL "8")
  math(EXPR installedBits "8 * 8")
  set(PACKAGE_VERSION "${PACKAGE_VERSION} (${installedBits}bit)")
  set(PACKAGE_VERSION_UNSUITABLE TRUE)
endif()
EOF

cat >"$STAGE/ZeroMQTargets.cmake" <<'EOF'
# The imported targets libzmq (shared) and libzmq-static, as libzmq 4.3.5's
# install(EXPORT ZeroMQ-targets) defines them (libzmq-rs, tools/install.sh).

if(CMAKE_VERSION VERSION_LESS "2.8.12")
   message(FATAL_ERROR "CMake >= 2.8.12 required")
endif()
cmake_policy(PUSH)
cmake_policy(VERSION 2.8.12...3.23)

set(CMAKE_IMPORT_FILE_VERSION 1)

# Protect against multiple inclusion, which would fail when already imported targets are added once more.
set(_cmake_targets_defined "")
set(_cmake_targets_not_defined "")
set(_cmake_expected_targets "")
foreach(_cmake_expected_target IN ITEMS libzmq libzmq-static)
  list(APPEND _cmake_expected_targets "${_cmake_expected_target}")
  if(TARGET "${_cmake_expected_target}")
    list(APPEND _cmake_targets_defined "${_cmake_expected_target}")
  else()
    list(APPEND _cmake_targets_not_defined "${_cmake_expected_target}")
  endif()
endforeach()
unset(_cmake_expected_target)
if(_cmake_targets_defined STREQUAL _cmake_expected_targets)
  unset(_cmake_targets_defined)
  unset(_cmake_targets_not_defined)
  unset(_cmake_expected_targets)
  unset(CMAKE_IMPORT_FILE_VERSION)
  cmake_policy(POP)
  return()
endif()
if(NOT _cmake_targets_defined STREQUAL "")
  string(REPLACE ";" ", " _cmake_targets_defined_text "${_cmake_targets_defined}")
  string(REPLACE ";" ", " _cmake_targets_not_defined_text "${_cmake_targets_not_defined}")
  message(FATAL_ERROR "Some (but not all) targets in this export set were already defined.\nTargets Defined: ${_cmake_targets_defined_text}\nTargets not yet defined: ${_cmake_targets_not_defined_text}\n")
endif()
unset(_cmake_targets_defined)
unset(_cmake_targets_not_defined)
unset(_cmake_expected_targets)

# Compute the installation prefix relative to this file (lib/cmake/ZeroMQ).
get_filename_component(_IMPORT_PREFIX "${CMAKE_CURRENT_LIST_FILE}" PATH)
get_filename_component(_IMPORT_PREFIX "${_IMPORT_PREFIX}" PATH)
get_filename_component(_IMPORT_PREFIX "${_IMPORT_PREFIX}" PATH)
get_filename_component(_IMPORT_PREFIX "${_IMPORT_PREFIX}" PATH)
if(_IMPORT_PREFIX STREQUAL "/")
  set(_IMPORT_PREFIX "")
endif()

# The shared library carries its own dependencies (libsodium) as DT_NEEDED.
add_library(libzmq SHARED IMPORTED)

set_target_properties(libzmq PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "@DRAFT_DEFS@"
  INTERFACE_INCLUDE_DIRECTORIES "${_IMPORT_PREFIX}/include"
)

# The static library needs what Rust's std and our CURVE need at link time.
add_library(libzmq-static STATIC IMPORTED)

set_target_properties(libzmq-static PROPERTIES
  INTERFACE_COMPILE_DEFINITIONS "@STATIC_DEFS@"
  INTERFACE_INCLUDE_DIRECTORIES "${_IMPORT_PREFIX}/include"
  INTERFACE_LINK_LIBRARIES "@CMAKE_PRIVATE_LIBS@"
)

# Load information for each installed configuration.
file(GLOB _cmake_config_files "${CMAKE_CURRENT_LIST_DIR}/ZeroMQTargets-*.cmake")
foreach(_cmake_config_file IN LISTS _cmake_config_files)
  include("${_cmake_config_file}")
endforeach()
unset(_cmake_config_file)
unset(_cmake_config_files)

# Cleanup temporary variables.
set(_IMPORT_PREFIX)

# Loop over all imported files and verify that they actually exist
foreach(_cmake_target IN LISTS _cmake_import_check_targets)
  foreach(_cmake_file IN LISTS "_cmake_import_check_files_for_${_cmake_target}")
    if(NOT EXISTS "${_cmake_file}")
      message(FATAL_ERROR "The imported target \"${_cmake_target}\" references the file
   \"${_cmake_file}\"
but this file does not exist.  Possible reasons include:
* The file was deleted, renamed, or moved to another location.
* An install or uninstall procedure did not complete successfully.
* The installation package was faulty and contained
   \"${CMAKE_CURRENT_LIST_FILE}\"
but not all the files it references.
")
    endif()
  endforeach()
  unset(_cmake_file)
  unset("_cmake_import_check_files_for_${_cmake_target}")
endforeach()
unset(_cmake_target)
unset(_cmake_import_check_targets)

set(CMAKE_IMPORT_FILE_VERSION)
cmake_policy(POP)
EOF
sed -i -e "s/@DRAFT_DEFS@/$DRAFT_DEFS/" -e "s/@STATIC_DEFS@/$STATIC_DEFS/" \
    -e "s/@CMAKE_PRIVATE_LIBS@/$CMAKE_PRIVATE_LIBS/" "$STAGE/ZeroMQTargets.cmake"

cat >"$STAGE/ZeroMQTargets-release.cmake" <<EOF
# The files behind the imported targets, for the Release configuration
# (the only one installed; CMake uses it for any configuration).

set(CMAKE_IMPORT_FILE_VERSION 1)

set_property(TARGET libzmq APPEND PROPERTY IMPORTED_CONFIGURATIONS RELEASE)
set_target_properties(libzmq PROPERTIES
  IMPORTED_LOCATION_RELEASE "\${_IMPORT_PREFIX}/lib/$REAL"
  IMPORTED_SONAME_RELEASE "libzmq.so.5"
  )

list(APPEND _cmake_import_check_targets libzmq )
list(APPEND _cmake_import_check_files_for_libzmq "\${_IMPORT_PREFIX}/lib/$REAL" )

set_property(TARGET libzmq-static APPEND PROPERTY IMPORTED_CONFIGURATIONS RELEASE)
set_target_properties(libzmq-static PROPERTIES
  IMPORTED_LINK_INTERFACE_LANGUAGES_RELEASE "C"
  IMPORTED_LOCATION_RELEASE "\${_IMPORT_PREFIX}/lib/libzmq.a"
  )

list(APPEND _cmake_import_check_targets libzmq-static )
list(APPEND _cmake_import_check_files_for_libzmq-static "\${_IMPORT_PREFIX}/lib/libzmq.a" )

set(CMAKE_IMPORT_FILE_VERSION)
EOF

# Copy in the order that leaves no window with a dangling link: the real
# file first, then the links that name it.
install -d "$DESTDIR$LIBDIR" "$DESTDIR$INCLUDEDIR" "$DESTDIR$PCDIR" "$DESTDIR$CMAKEDIR"
install -m 755 "$SO" "$DESTDIR$LIBDIR/$REAL"
ln -sfn "$REAL" "$DESTDIR$LIBDIR/libzmq.so.5"
ln -sfn libzmq.so.5 "$DESTDIR$LIBDIR/libzmq.so"
# rustc embeds LLVM bitcode (.llvmbc, .llvmcmd) in every object for its own
# cross-crate LTO; no C toolchain uses it, and binutils' nm, finding it,
# hands the object to the system's (older) LLVM plugin, fails and lists no
# symbols at all. Without it the archive is also a third smaller.
objcopy --remove-section=.llvmbc --remove-section=.llvmcmd "$A" "$STAGE/libzmq.a"
install -m 644 "$STAGE/libzmq.a" "$DESTDIR$LIBDIR/libzmq.a"
if ((STRIP)); then
    strip --strip-debug "$DESTDIR$LIBDIR/$REAL" "$DESTDIR$LIBDIR/libzmq.a"
fi
install -m 644 include/zmq.h include/zmq_utils.h "$DESTDIR$INCLUDEDIR/"
install -m 644 "$STAGE/libzmq.pc" "$DESTDIR$PCDIR/libzmq.pc"
install -m 644 "$STAGE/ZeroMQConfig.cmake" "$STAGE/ZeroMQConfigVersion.cmake" \
    "$STAGE/ZeroMQTargets.cmake" "$STAGE/ZeroMQTargets-release.cmake" "$DESTDIR$CMAKEDIR/"
refresh_loader_cache
echo "Installed libzmq $VERSION (libzmq-rs) into $DESTDIR$PREFIX: ${#FILES[@]} files;" \
    "uninstall with ${DESTDIR:+DESTDIR=$DESTDIR }$0 --prefix $PREFIX --uninstall"
