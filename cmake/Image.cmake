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

# From Debian packages installed on the build machine.
string(APPEND manifest_lines "/bin/busybox\tbin/busybox\n")

file(GLOB_RECURSE system_files CONFIGURE_DEPENDS RELATIVE ${CMAKE_SOURCE_DIR} ${CMAKE_SOURCE_DIR}/system/*)
foreach(f ${system_files})
  string(APPEND manifest_lines "${CMAKE_SOURCE_DIR}/${f}\t${f}\n")
endforeach()

set(IMAGE_MANIFEST ${CMAKE_BINARY_DIR}/image-manifest.tsv)
file(GENERATE OUTPUT ${IMAGE_MANIFEST} CONTENT "${manifest_lines}")

set(IMAGE_DIR ${CMAKE_BINARY_DIR}/image)
set(BUNDLE ${IMAGE_DIR}/boot/bundle.cpio)
set(DISK ${CMAKE_BINARY_DIR}/rustos.img)
set(MKIMAGE ${CMAKE_SOURCE_DIR}/tools/mkimage.py)

add_custom_command(OUTPUT ${BUNDLE} ${IMAGE_DIR}/boot/kernel.elf
  COMMAND python3 ${MKIMAGE} stage --manifest ${IMAGE_MANIFEST} --kernel $<TARGET_FILE:kernel>
          --grub-cfg ${CMAKE_SOURCE_DIR}/boot/grub.cfg --out ${IMAGE_DIR}
  DEPENDS ${MKIMAGE} ${IMAGE_MANIFEST} kernel ${program_targets} ${CMAKE_SOURCE_DIR}/boot/grub.cfg
          ${system_files}
  COMMENT "Staging build/image and the boot bundle"
  VERBATIM)
add_custom_target(bundle ALL DEPENDS ${BUNDLE})

add_custom_command(OUTPUT ${DISK}
  COMMAND python3 ${MKIMAGE} disk --tree ${IMAGE_DIR} --out ${DISK}
  DEPENDS ${MKIMAGE} ${BUNDLE} ${CMAKE_SOURCE_DIR}/boot/grub-embedded.cfg
  COMMENT "Building the GPT disk image build/rustos.img"
  VERBATIM)
add_custom_target(image ALL DEPENDS ${DISK})
