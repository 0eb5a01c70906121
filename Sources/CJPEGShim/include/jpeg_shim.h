// A setjmp-safe front end to libjpeg(-turbo): libjpeg reports fatal errors by calling error_exit, whose
// default ends the process; the shim longjmps back inside C, so Swift only ever sees a return code.
#ifndef SALIENCY_JPEG_SHIM_H
#define SALIENCY_JPEG_SHIM_H

#include <stddef.h>

/// Return codes of the shim's functions.
enum {
    SAL_JPEG_OK = 0,
    SAL_JPEG_CORRUPT = 1,    ///< libjpeg's fatal error (message in `message`)
    SAL_JPEG_TRUNCATED = 2,  ///< the data ended before the image did
    SAL_JPEG_TOO_LARGE = 3,  ///< width × height over the caller's limit (checked from the header, before decoding)
    SAL_JPEG_TOO_MANY_SCANS = 4, ///< a progressive file with more scans than any real encoder writes
    SAL_JPEG_BUFFER = 5      ///< the output buffer is smaller than width × height × channels
};

/// What the header says, and libjpeg's last message.
typedef struct {
    int width;
    int height;
    /// Channels of the decoded output: 1 (grey) or 3 (RGB; CMYK/YCCK are converted to RGB).
    int channels;
    /// 1 when the file is CMYK or YCCK.
    int cmyk;
    /// 1 when the file is progressive.
    int progressive;
    char message[200];
} sal_jpeg_info;

/// Reads the header of `data` into `info` without decoding pixels.
int sal_jpeg_read_header(const unsigned char *data, size_t size, sal_jpeg_info *info);

/// Decodes `data` into `out` (height × width × channels bytes, row-major, interleaved), refusing images of
/// more than `max_pixels` pixels before any pixel is decoded.
int sal_jpeg_decode(const unsigned char *data, size_t size, unsigned long long max_pixels,
                    unsigned char *out, size_t out_size, sal_jpeg_info *info);

#endif
