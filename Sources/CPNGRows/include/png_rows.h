#ifndef PNG_ROWS_H
#define PNG_ROWS_H

#include <stddef.h>
#include <stdint.h>

// Row-by-row PNG decoding through libpng's classic API. libpng reports errors by longjmp, which Swift cannot
// catch, so the setjmp lives here in C and every error comes back as a return code with libpng's message.

enum {
    PNG_ROWS_DONE = 0,         // every row was delivered
    PNG_ROWS_STOPPED = 1,      // a callback asked to stop
    PNG_ROWS_ERROR = 2,        // libpng (or the file) failed; `message` says why
    PNG_ROWS_UNSUPPORTED = 3,  // a layout this reader leaves to png_image (interlaced, palette, 16-bit, …)
};

/// The image's size and its 8-bit samples per pixel (1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), before any pixel is
/// decoded; return nonzero to stop.
typedef int (*png_rows_header_fn)(void *context, uint32_t width, uint32_t height, int channels);
/// One decoded row, top to bottom; return nonzero to stop.
typedef int (*png_rows_row_fn)(void *context, const uint8_t *row, uint32_t y);

/// Decodes the PNG file at `path` one row at a time. Only non-interlaced 8-bit grey, grey+alpha, RGB and RGBA
/// files without transparency chunks or a non-sRGB gamma are read here: their samples need no conversion, so
/// they are exactly what png_image gives. Everything else returns PNG_ROWS_UNSUPPORTED before decoding.
int png_rows_read(const char *path, void *context, png_rows_header_fn header, png_rows_row_fn row,
                  char *message, size_t message_size);

#endif
