/*
 * A disassembler plugin for reading the machine code C2 makes of rnn4j's kernels
 * (-XX:CompileCommand=print,...), built from Debian's libhsdis0-fcml. That package exports only
 * the old entry point, decode_instructions; JDK 25 looks for decode_instructions_virtual and
 * otherwise prints raw bytes. This file forwards the new entry point to the old one.
 *
 * Not part of rnn4j and not used by its build or tests: a developer's tool (docs/results.md,
 * session 13, is what it was used for).
 *
 *   apt-get install -y libhsdis0-fcml
 *   gcc -O2 -shared -fPIC -o hsdis-amd64.so tools/bench/hsdis-shim.c -ldl
 *   cp hsdis-amd64.so "$JAVA_HOME/lib/server/"
 *   java -XX:+UnlockDiagnosticVMOptions \
 *        -XX:CompileCommand=print,io.github.rnn4j.kernels.VectorKernels::microRows6 \
 *        --add-modules jdk.incubator.vector -jar rnn4j-cli/target/rnn4j.jar bench --cells lstm --configs medium
 */
#include <dlfcn.h>
#include <stdint.h>

typedef void *(*event_callback)(void *, const char *, void *);
typedef int (*printf_callback)(void *, const char *, ...);
typedef void *(*decode_fn)(void *, void *, event_callback, void *, printf_callback, void *, const char *);

void *decode_instructions_virtual(uintptr_t start_va, uintptr_t end_va, unsigned char *buffer, uintptr_t length,
                                  event_callback event, void *event_stream, printf_callback print,
                                  void *print_stream, const char *options, int newline) {
    static decode_fn decode = 0;
    (void) start_va;
    (void) end_va;
    (void) newline;
    if (!decode) {
        void *lib = dlopen("/usr/lib/x86_64-linux-gnu/libhsdis.so.0", RTLD_NOW);
        if (!lib) return 0;
        decode = (decode_fn) dlsym(lib, "decode_instructions");
        if (!decode) return 0;
    }
    /* HotSpot prints code in place, so the buffer's addresses are the ones to show */
    return decode(buffer, buffer + length, event, event_stream, print, print_stream, options);
}
