#include "jpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <jpeglib.h>
#include <jerror.h>

// No real encoder writes anywhere near this many scans; crafted progressive files with thousands of tiny
// scans make decoding quadratic (libjpeg-turbo's own fuzzers cap it at 500 too).
#define SAL_MAX_SCANS 500

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    int code;
    char *message; // points into the caller's sal_jpeg_info
} sal_error_mgr;

typedef struct {
    struct jpeg_progress_mgr base;
    sal_error_mgr *errors;
} sal_progress_mgr;

static void sal_copy_message(j_common_ptr cinfo) {
    sal_error_mgr *err = (sal_error_mgr *)cinfo->err;
    char buffer[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, buffer);
    strncpy(err->message, buffer, 199);
    err->message[199] = '\0';
}

// Replaces libjpeg's exit(): remember the message and jump back to the shim function that set the jump.
static void sal_error_exit(j_common_ptr cinfo) {
    sal_error_mgr *err = (sal_error_mgr *)cinfo->err;
    sal_copy_message(cinfo);
    if (err->code == SAL_JPEG_OK) err->code = SAL_JPEG_CORRUPT;
    longjmp(err->jump, 1);
}

// Warnings go nowhere (libjpeg's default prints to stderr), except that data ending before the image does
// (or a marker inside the entropy-coded data) is fatal: libjpeg would pad the rest with grey and succeed.
static void sal_emit_message(j_common_ptr cinfo, int level) {
    sal_error_mgr *err = (sal_error_mgr *)cinfo->err;
    if (level < 0) {
        int code = cinfo->err->msg_code;
        if (code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER) {
            sal_copy_message(cinfo);
            err->code = code == JWRN_JPEG_EOF ? SAL_JPEG_TRUNCATED : SAL_JPEG_CORRUPT;
            longjmp(err->jump, 1);
        }
        cinfo->err->num_warnings++;
    }
}

static void sal_progress(j_common_ptr cinfo) {
    sal_progress_mgr *progress = (sal_progress_mgr *)cinfo->progress;
    if (cinfo->is_decompressor) {
        j_decompress_ptr d = (j_decompress_ptr)cinfo;
        if (d->input_scan_number > SAL_MAX_SCANS) {
            snprintf(progress->errors->message, 200, "more than %d progressive scans", SAL_MAX_SCANS);
            progress->errors->code = SAL_JPEG_TOO_MANY_SCANS;
            longjmp(progress->errors->jump, 1);
        }
    }
}

static void sal_describe(j_decompress_ptr cinfo, sal_jpeg_info *info) {
    info->width = (int)cinfo->image_width;
    info->height = (int)cinfo->image_height;
    info->cmyk = cinfo->jpeg_color_space == JCS_CMYK || cinfo->jpeg_color_space == JCS_YCCK;
    info->channels = cinfo->num_components == 1 ? 1 : 3;
    info->progressive = cinfo->progressive_mode ? 1 : 0;
}

int sal_jpeg_read_header(const unsigned char *data, size_t size, sal_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    sal_error_mgr err;
    memset(info, 0, sizeof(*info));
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = sal_error_exit;
    err.base.emit_message = sal_emit_message;
    err.code = SAL_JPEG_OK;
    err.message = info->message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return err.code;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    sal_describe(&cinfo, info);
    jpeg_destroy_decompress(&cinfo);
    return SAL_JPEG_OK;
}

// CMYK → RGB. Adobe (Photoshop) writes inverted CMYK, where the stored sample is 255 − ink; then
// R = C·K/255 on the stored values. Plain CMYK (no Adobe marker) stores ink, so R = (255 − C)(255 − K)/255.
static void sal_cmyk_row_to_rgb(const JSAMPLE *in, unsigned char *out, int width, int inverted) {
    for (int x = 0; x < width; x++) {
        int c = in[4 * x], m = in[4 * x + 1], y = in[4 * x + 2], k = in[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        out[3 * x] = (unsigned char)((c * k + 127) / 255);
        out[3 * x + 1] = (unsigned char)((m * k + 127) / 255);
        out[3 * x + 2] = (unsigned char)((y * k + 127) / 255);
    }
}

int sal_jpeg_decode(const unsigned char *data, size_t size, unsigned long long max_pixels,
                    unsigned char *out, size_t out_size, sal_jpeg_info *info) {
    struct jpeg_decompress_struct cinfo;
    sal_error_mgr err;
    sal_progress_mgr progress;
    JSAMPLE *volatile cmyk_row = NULL;
    memset(info, 0, sizeof(*info));
    memset(&cinfo, 0, sizeof(cinfo));
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = sal_error_exit;
    err.base.emit_message = sal_emit_message;
    err.code = SAL_JPEG_OK;
    err.message = info->message;
    progress.base.progress_monitor = sal_progress;
    progress.errors = &err;
    if (setjmp(err.jump)) {
        free(cmyk_row);
        jpeg_destroy_decompress(&cinfo);
        return err.code;
    }
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress.base;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    sal_describe(&cinfo, info);
    if ((unsigned long long)cinfo.image_width * cinfo.image_height > max_pixels) {
        snprintf(info->message, 200, "%u×%u pixels is over the limit of %llu",
                 cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return SAL_JPEG_TOO_LARGE;
    }
    int inverted = info->cmyk && cinfo.saw_Adobe_marker;
    if (info->cmyk) {
        cinfo.out_color_space = JCS_CMYK;  // libjpeg converts YCCK to CMYK; RGB comes from the row loop
    } else if (info->channels == 1) {
        cinfo.out_color_space = JCS_GRAYSCALE;
    } else {
        cinfo.out_color_space = JCS_RGB;
    }
    size_t row_bytes = (size_t)cinfo.image_width * (size_t)info->channels;
    if (out_size < row_bytes * cinfo.image_height) {
        snprintf(info->message, 200, "output buffer of %zu bytes is too small", out_size);
        jpeg_destroy_decompress(&cinfo);
        return SAL_JPEG_BUFFER;
    }
    jpeg_start_decompress(&cinfo);
    if (info->cmyk) {
        cmyk_row = malloc((size_t)cinfo.output_width * 4);
        if (!cmyk_row) {
            snprintf(info->message, 200, "out of memory");
            jpeg_destroy_decompress(&cinfo);
            return SAL_JPEG_CORRUPT;
        }
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned char *row = out + row_bytes * cinfo.output_scanline;
        if (info->cmyk) {
            JSAMPROW rows[1] = { cmyk_row };
            jpeg_read_scanlines(&cinfo, rows, 1);
            sal_cmyk_row_to_rgb(cmyk_row, row, (int)cinfo.output_width, inverted);
        } else {
            JSAMPROW rows[1] = { row };
            jpeg_read_scanlines(&cinfo, rows, 1);
        }
    }
    jpeg_finish_decompress(&cinfo);
    free(cmyk_row);
    jpeg_destroy_decompress(&cinfo);
    return SAL_JPEG_OK;
}
