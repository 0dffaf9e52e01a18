/* idn.h: internationalised domain names: punycode (RFC 3492), scripts per
 * label, and look-alike ("confusable") skeletons after Unicode TR 39 with
 * a small built-in table (idn.c). A fuzz target. */
#ifndef POSTIE_SCAN_IDN_H
#define POSTIE_SCAN_IDN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decode the punycode label p[0..len) (without "xn--") into code points
 * out[0..cap). 0 with *n_r, or -1 on bad input, overflow or cap. */
int idn_punycode_decode(const char *p, size_t len, uint32_t *out, size_t cap,
    size_t *n_r) __attribute__((warn_unused_result));
/* host with its "xn--" labels decoded, as UTF-8 in out[0..cap). Labels that
 * do not decode are kept as they are. -1 if out is too small. */
int idn_to_unicode(const char *host, char *out, size_t cap)
    __attribute__((warn_unused_result));
/* True if a label of the UTF-8 host mixes letters of two of Latin,
 * Cyrillic, Greek, Armenian and Cherokee (the scripts with Latin
 * look-alikes); the first such label is copied to label[0..cap). */
bool idn_mixed_script(const char *uhost, char *label, size_t cap);
/* The skeleton of a UTF-8 string: NFKC, lower case, then each character of
 * the built-in table replaced by its Latin prototype ("раураl" and
 * "paypa1" both give "paypal"; "rn" gives "m"). -1 if out is too small. */
int idn_skeleton(const char *s, char *out, size_t cap)
    __attribute__((warn_unused_result));
/* True if some label of the UTF-8 host is written wholly in Cyrillic or
 * Greek with letters that all have Latin look-alikes, under an ASCII TLD
 * (a whole-script confusable such as "аррӏе.com"). */
bool idn_whole_script_confusable(const char *uhost);

#endif
