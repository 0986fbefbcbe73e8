/* A test-only stand-in for Windows' bcryptprimitives.dll, which wine 8 lacks. Rust's standard
 * library (1.78 and later) imports ProcessPrng from it for random numbers (HashMap keys), so
 * without it every Rust program under wine 8 stops at once (status 53, "Library
 * bcryptprimitives.dll not found"). This one answers ProcessPrng with RtlGenRandom
 * (SystemFunction036 in advapi32), the generator Rust used before.
 *
 * Built by scripts/wine/prefix.sh with mingw-w64 and copied into the test wine prefix's
 * system32 only. Never shipped, never installed on a real Windows, which has its own. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) {
            return FALSE;
        }
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
