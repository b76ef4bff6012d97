/* Adler-32 over a buffer: the C half of the crate. */
#include <stddef.h>
#include <stdint.h>

uint32_t checksum(const uint8_t *data, size_t len) {
    uint32_t a = 1, b = 0;
    for (size_t i = 0; i < len; i++) {
        a = (a + data[i]) % 65521;
        b = (b + a) % 65521;
    }
    return (b << 16) | a;
}
