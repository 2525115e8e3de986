# The staging tree build/image/ (mirror of the FAT32 boot volume), the boot
# bundle inside it, and the GPT disk image build/rustos.img.
#
# Every program that goes onto the volume registered itself with
# rustos_bundle_program(target path); text files under system/ are copied
# as they are; a few programs come from the build machine's Debian packages
# (never from the repository).
get_property(bundle_entries GLOBAL PROPERTY RUSTOS_BUNDLE_ENTRIES)
set(manifest_lines "")
set(program_targets "")
foreach(entry ${bundle_entries})
  string(REPLACE "=" ";" parts ${entry})
  list(GET parts 0 target)
  list(GET parts 1 path)
  string(APPEND manifest_lines "$<TARGET_FILE:${target}>\t${path}\n")
  list(APPEND program_targets ${target})
endforeach()

# Files at the volume's root (/etc).
file(GLOB_RECURSE rootfs_files CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR}/rootfs ${CMAKE_SOURCE_DIR}/rootfs/*)
set(rootfs_sources "")
foreach(f ${rootfs_files})
  string(APPEND manifest_lines "${CMAKE_SOURCE_DIR}/rootfs/${f}\t${f}\n")
  list(APPEND rootfs_sources ${CMAKE_SOURCE_DIR}/rootfs/${f})
endforeach()

file(GLOB_RECURSE system_files CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/system/*)
foreach(f ${system_files})
  string(APPEND manifest_lines "${CMAKE_SOURCE_DIR}/${f}\t${f}\n")
endforeach()

set(IMAGE_MANIFEST ${CMAKE_BINARY_DIR}/image-manifest.tsv)
file(GENERATE OUTPUT ${IMAGE_MANIFEST} CONTENT "${manifest_lines}")

# The staged registries (system/registry/*.tsv, system/share/applications/
# *.desktop) are generated from every RUSTOS.package.toml by
# rustos-mkregistry (docs/manifests.md). A manifest error fails the build
# with "<file>:<line>:<col>: <reason>". The tool writes the list of files it
# generated, which staging reads as a second manifest.
set(RUSTOS_PROFILE default CACHE STRING "Package profile the image is built for")
file(GLOB package_manifests CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/services/*/RUSTOS.package.toml)
file(GLOB_RECURSE nested_package_manifests CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/apps/RUSTOS.package.toml ${CMAKE_SOURCE_DIR}/drivers/RUSTOS.package.toml)
list(APPEND package_manifests ${nested_package_manifests})
set(REGISTRY_DIR ${CMAKE_BINARY_DIR}/registry)
set(REGISTRY_FILE_LIST ${CMAKE_BINARY_DIR}/registry-files.tsv)
add_custom_command(OUTPUT ${REGISTRY_FILE_LIST}
  COMMAND rustos-mkregistry --source-root ${CMAKE_SOURCE_DIR} --out ${REGISTRY_DIR}
          --profile ${RUSTOS_PROFILE} --file-list ${REGISTRY_FILE_LIST}
  DEPENDS rustos-mkregistry ${package_manifests}
  COMMENT "Generating the staged registries from the RUSTOS.package.toml manifests"
  VERBATIM)

# From Debian packages installed on the build machine: busybox-static with
# its applet links, coreutils' dynamic programs with the glibc loader and
# their libraries (tools/host_files.py).
set(HOST_MANIFEST ${CMAKE_BINARY_DIR}/host-files.tsv)
set(HOST_LINKS ${CMAKE_BINARY_DIR}/host-links.tsv)
add_custom_command(OUTPUT ${HOST_MANIFEST} ${HOST_LINKS}
  COMMAND python3 ${CMAKE_SOURCE_DIR}/tools/host_files.py --manifest ${HOST_MANIFEST} --links ${HOST_LINKS}
  DEPENDS ${CMAKE_SOURCE_DIR}/tools/host_files.py /bin/busybox /usr/bin/ls
  COMMENT "Listing the programs taken from the build machine's Debian packages"
  VERBATIM)

set(IMAGE_DIR ${CMAKE_BINARY_DIR}/image)
set(BUNDLE ${IMAGE_DIR}/boot/bundle.cpio)
set(DISK ${CMAKE_BINARY_DIR}/rustos.img)
set(MKIMAGE ${CMAKE_SOURCE_DIR}/tools/mkimage.py)

add_custom_command(OUTPUT ${BUNDLE} ${IMAGE_DIR}/boot/kernel.elf
  COMMAND python3 ${MKIMAGE} stage --manifest ${IMAGE_MANIFEST} --manifest ${REGISTRY_FILE_LIST}
          --manifest ${HOST_MANIFEST} --links ${HOST_LINKS} --kernel $<TARGET_FILE:kernel> --grub-cfg ${CMAKE_SOURCE_DIR}/boot/grub.cfg
          --out ${IMAGE_DIR}
  DEPENDS ${MKIMAGE} ${IMAGE_MANIFEST} ${REGISTRY_FILE_LIST} ${HOST_MANIFEST} ${HOST_LINKS} kernel
          ${program_targets} ${CMAKE_SOURCE_DIR}/boot/grub.cfg ${system_files} ${rootfs_sources}
  COMMENT "Staging build/image and the boot bundle"
  VERBATIM)
add_custom_target(bundle ALL DEPENDS ${BUNDLE})

add_custom_command(OUTPUT ${DISK}
  COMMAND python3 ${MKIMAGE} disk --tree ${IMAGE_DIR} --out ${DISK}
  DEPENDS ${MKIMAGE} ${BUNDLE} ${CMAKE_SOURCE_DIR}/boot/grub-embedded.cfg
  COMMENT "Building the GPT disk image build/rustos.img"
  VERBATIM)
add_custom_target(image ALL DEPENDS ${DISK})
