#include "png_rows.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>

struct png_rows_failure {
    jmp_buf jump;
    char *message;
    size_t size;
};

static void png_rows_on_error(png_structp png, png_const_charp text) {
    struct png_rows_failure *failure = png_get_error_ptr(png);
    snprintf(failure->message, failure->size, "%s", text);
    longjmp(failure->jump, 1);
}

static void png_rows_on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

/// Whether the samples as stored are what png_image would deliver (no palette, 16-bit, tRNS or gamma change).
static int png_rows_is_plain(png_structp png, png_infop info) {
    int type = png_get_color_type(png, info);
    if (png_get_bit_depth(png, info) != 8 || png_get_interlace_type(png, info) != PNG_INTERLACE_NONE) return 0;
    if (type != PNG_COLOR_TYPE_GRAY && type != PNG_COLOR_TYPE_GRAY_ALPHA && type != PNG_COLOR_TYPE_RGB &&
        type != PNG_COLOR_TYPE_RGB_ALPHA) return 0;
    if (png_get_valid(png, info, PNG_INFO_tRNS)) return 0;
    png_fixed_point gamma = 0;
    // 45455 is the sRGB-like gamma png_image treats as no change.
    if (png_get_gAMA_fixed(png, info, &gamma) && gamma != 45455) return 0;
    return 1;
}

int png_rows_read(const char *path, void *context, png_rows_header_fn header, png_rows_row_fn row,
                  char *message, size_t message_size) {
    struct png_rows_failure failure;
    failure.message = message;
    failure.size = message_size;
    if (message_size > 0) message[0] = 0;
    FILE *file = fopen(path, "rb");
    if (!file) {
        snprintf(message, message_size, "cannot open the file");
        return PNG_ROWS_ERROR;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_rows_on_error, png_rows_on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!png || !info) {
        snprintf(message, message_size, "out of memory");
        png_destroy_read_struct(png ? &png : NULL, NULL, NULL);
        fclose(file);
        return PNG_ROWS_ERROR;
    }
    // Written after setjmp and read after a longjmp: volatile.
    uint8_t *volatile buffer = NULL;
    volatile int result = PNG_ROWS_DONE;
    if (setjmp(failure.jump)) {
        result = PNG_ROWS_ERROR;
    } else {
        png_init_io(png, file);
        png_read_info(png, info);
        if (!png_rows_is_plain(png, info)) {
            result = PNG_ROWS_UNSUPPORTED;
        } else {
            uint32_t width = png_get_image_width(png, info);
            uint32_t height = png_get_image_height(png, info);
            int channels = png_get_channels(png, info);
            if (header(context, width, height, channels)) {
                result = PNG_ROWS_STOPPED;
            } else {
                png_read_update_info(png, info);
                buffer = malloc(png_get_rowbytes(png, info));
                if (!buffer) png_error(png, "out of memory for one row");
                for (uint32_t y = 0; y < height; y++) {
                    png_read_row(png, buffer, NULL);
                    if (row(context, buffer, y)) {
                        result = PNG_ROWS_STOPPED;
                        break;
                    }
                }
            }
        }
    }
    free(buffer);
    png_destroy_read_struct(&png, &info, NULL);
    fclose(file);
    return result;
}
