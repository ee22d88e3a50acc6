// libFuzzer's entry for programs that have their own main (compiler-rt's FuzzerInterface.h
// declares the same function). SwiftPM links every executable with its own entry point, so the
// fuzz targets cannot use libFuzzer's main and start the fuzzer through this instead.
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
