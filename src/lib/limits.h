/* limits.h: every cap postie enforces, in one place.
 * Each limit names the RFC or reason behind it. Config keys may lower (and
 * for a few, raise) the runtime values; these are the defaults and the hard
 * ceilings. */
#ifndef POSTIE_LIMITS_H
#define POSTIE_LIMITS_H

/* RFC 2449 §4: commands up to 255 octets including CRLF must be accepted. */
#define P3_CMD_MAX 255
/* RFC 2449 §4: the first line of a response is at most 512 octets. */
#define P3_RESP_LINE_MAX 512
/* Longest line of a multi-line response a client accepts (RFC 5322 allows
 * 998 + CRLF; real mail exceeds it, so be generous but bounded). */
#define P3_DATA_LINE_MAX (64 * 1024)
/* SASL continuation lines (base64 of a SCRAM message, etc.). */
#define P3_SASL_LINE_MAX 4096
/* RFC 1939: a unique-id is 1 to 70 characters in 0x21..0x7E. */
#define P3_UIDL_MAX 70
/* Arguments per command: TOP has two, nothing has more. */
#define P3_ARGS_MAX 2
/* User names and passwords (bytes). */
#define P3_USER_MAX 128
#define P3_PASS_MAX 256

/* Server defaults. */
#define SRV_BAD_CMDS_MAX      10    /* bad commands before disconnect */
#define SRV_PRELOGIN_IDLE_S   60    /* idle before login, seconds */
#define SRV_POSTLOGIN_IDLE_S  600   /* RFC 1939 §3: at least 10 minutes */
#define SRV_SLOWDRIP_S        30    /* a partial line must finish within */
#define SRV_MAX_CONNS         10000 /* total concurrent connections */
#define SRV_MAX_CONNS_PER_SRC 50    /* concurrent connections per source */
#define SRV_MAX_AUTH_PER_SRC  4     /* parallel authentications per source */
#define SRV_OUTBUF_HIGH       (256 * 1024) /* stop producing above this */
#define SRV_RETR_CHUNK        (64 * 1024)  /* bytes read from a file per step */
#define SRV_MAX_SINGLE_WRITE  (256 * 1024) /* bytes per write to a client */
#define SRV_PIPELINE_MAX      64           /* queued commands read ahead */
#define SRV_LISTING_BUF       (16 * 1024)  /* LIST/UIDL lines per sink call */
#define SRV_PENDING_MAX       (P3_SASL_LINE_MAX + 2) /* read ahead before login */
#define SRV_TLS_READAHEAD_MAX (64 * 1024) /* TLS input queued while waiting */
#define SRV_DRAIN_S           60 /* a TLS relay flushes its last bytes within */

/* Store. */
#define STORE_MSGS_MAX 2000000 /* messages in one mailbox */
#define STORE_NAME_MAX 255     /* a Maildir file name */
#define STORE_PATH_MAX 4096

/* Auth. */
#define AUTH_USERS_MAX 1000000 /* lines in a users file */
#define AUTH_LINE_MAX  4096    /* one users-file line */
#define AUTH_WORKERS   2       /* hashing threads in the auth process */
#define IPC_FRAME_MAX  16384   /* one privsep message */

/* Config. */
#define CONF_LINE_MAX    4096
#define CONF_LISTEN_MAX  16                /* listeners of each kind */
#define LOCKOUT_FILE_MAX (8 * 1024 * 1024) /* hard-lockout state */

/* Store size cache (src/store/sizecache.c): one "base size\n" line is a
 * file name, a space, 20 digits at most and LF; lines read per open. */
#define STORE_SIZES_LINE_MAX  (STORE_NAME_MAX + 1 + 20 + 1)
#define STORE_SIZES_LINES_MAX (2 * STORE_MSGS_MAX)

/* Reading downloaded mail (src/mime). A message file beyond MIME_MSG_MAX is
 * parsed only up to the cap; GMime itself stops nesting at 1024 levels and
 * spends ~2 KiB per part, so a message is cut before its
 * (MIME_BOUNDARY_LINES_MAX+1)th line starting with "--". */
#define MIME_MSG_MAX            (64 * 1024 * 1024)
#define MIME_BOUNDARY_LINES_MAX 20000
#define MIME_HDRBLOCK_MAX       (512 * 1024) /* header-only reads */
#define MIME_DEPTH_MAX          32   /* our walk: nested multipart/message */
#define MIME_PARTS_MAX          5000 /* parts visited per message */
#define MIME_ATTS_MAX           1000 /* attachments listed per message */
#define MIME_TEXT_MAX           (4 * 1024 * 1024) /* decoded body text read */
#define MIME_HEADER_MAX         (16 * 1024)       /* one decoded header shown */
#define MIME_FILENAME_MAX       200  /* bytes of a safe extracted name */
#define MIME_UNIQUE_TRIES       1000 /* " (1)" .. " (999)" */
#define MIME_HTML_ATTRS_MAX     32   /* attributes kept per HTML tag */
#define MIME_HTML_ATTR_MAX      8192 /* bytes of one attribute value */
#define MIME_HTML_TAGNAME_MAX   32
#define MIME_ATT_READ_MAX       (32 * 1024 * 1024) /* decoded attachment */

/* Phishing scanner (src/scan). */
#define SCAN_INDS_MAX         32    /* indicators kept per message */
#define SCAN_EVIDENCE_MAX     512   /* bytes of evidence per indicator */
#define SCAN_LINKS_MAX        2000  /* links examined per message */
#define SCAN_URL_MAX          8192  /* bytes of one URL examined */
#define SCAN_ANCHOR_TEXT_MAX  512   /* visible text kept per <a> */
#define SCAN_HOST_MAX         253   /* RFC 1035 name length */
#define SCAN_LABEL_MAX        63    /* RFC 1035 label length */
#define SCAN_AR_HEADERS_MAX   64    /* Authentication-Results examined */
#define SCAN_AR_RESULTS_MAX   16    /* resinfo per header */
#define SCAN_AR_TOKEN_MAX     256   /* authserv-id, method, value */
#define SCAN_AR_COMMENT_DEPTH 16    /* nested comments (RFC 5322 ccontent) */
#define SCAN_TRUSTED_MAX      32    /* trusted authserv-ids */
#define SCAN_KNOWN_MAX        4096  /* known sender domains */
#define SCAN_ZIP_ENTRIES_MAX  65535 /* central directory entries read */
#define SCAN_OLE_SEARCH_MAX   (16 * 1024 * 1024) /* bytes searched in OLE2 */
#define SCAN_CONF_LINES_MAX   10000

/* Retriever (src/fetch). */
#define FETCH_MSGS_MAX         1000000 /* messages in one server listing */
#define FETCH_WINDOW_MAX       128     /* RETRs in flight with PIPELINING */
#define FETCH_WINDOW_DEFAULT   32
#define FETCH_ACCOUNTS_MAX     256 /* accounts in one config file */
#define FETCH_PARALLEL_MAX     32  /* accounts fetched at once */
#define FETCH_PARALLEL_DEFAULT 4
#define FETCH_MSG_MAX          (4ULL << 30) /* one message, hard ceiling */
#define FETCH_SIZE_SLACK       (16 * 1024 * 1024) /* beyond a LIST size */
#define FETCH_TOP_MAX          (1024 * 1024)      /* TOP n 0 headers kept */
#define FETCH_PATH_MAX         1024 /* paths and commands in the config */
#define FETCH_NAME_MAX         64   /* account names */
#define FETCH_HOST_MAX         255  /* RFC 1035 */
#define FETCH_IO_BUF           (64 * 1024) /* decode/write chunk */

/* Load generator (postie bench, src/cli/bench*.c). */
#define BENCH_NAME_MAX   128          /* user name or password */
#define BENCH_USERS_MAX  200000       /* lines of a --users-file */
#define BENCH_CONNS_MAX  60000        /* concurrent connections */
#define BENCH_LINE_MAX   1024         /* status or listing line kept */
#define BENCH_OUT_MAX    2048         /* queued command bytes per connection */
#define BENCH_RBUF       (256 * 1024) /* one read() */
#define BENCH_LAT_MAX    4000000      /* session latencies kept */
#define BENCH_MSGS_MAX   2000000      /* messages in one mailbox */
#define BENCH_WINDOW_MAX 256          /* pipelined commands in flight */

/* SCRAM (src/auth/sasl.c, pwscram.c). RFC 7677 §4: an iteration count of
 * at least 4096; the salt as postie writes it is 16 bytes. A SCRAM message
 * (client-first with an escaped 128-byte user and authzid, and the rest) is
 * far below AUTH_SCRAM_MSG_MAX; base64 of it fits a SASL line. */
#define AUTH_SCRAM_ITER_MIN     4096
#define AUTH_SCRAM_ITER_DEFAULT 4096
#define AUTH_SCRAM_ITER_MAX     10000000
#define AUTH_SCRAM_SALT_LEN     16 /* bytes postie generates */
#define AUTH_SCRAM_SALT_MIN     8  /* bytes accepted in a users file */
#define AUTH_SCRAM_SALT_MAX     64
#define AUTH_SCRAM_FIELD_MAX    256  /* "ITER,SALT,STOREDKEY,SERVERKEY" */
#define AUTH_SCRAM_MSG_MAX      2048 /* one decoded SCRAM message */
#define AUTH_SASL_B64_MAX       P3_SASL_LINE_MAX /* base64 SASL data in IPC */
#define AUTH_SASL_MAX           1024 /* SASL exchanges open at once */
#define AUTH_SASL_TTL_S         60   /* idle exchange expiry (default) */
#define AUTH_CB_LEN             32   /* RFC 9266 tls-exporter bytes */

/* LMTP/SMTP delivery of fetched mail (src/fetch/deliver_lmtp.c). RFC 5321
 * §4.5.3.1: reply lines of 512 octets, paths of 256; we allow twice the
 * line length and a bounded number of continuation lines. */
#define FETCH_SMTP_LINE_MAX  1024   /* one reply line */
#define FETCH_SMTP_LINES_MAX 64     /* lines of one multi-line reply */
#define FETCH_SMTP_ADDR_MAX  256    /* envelope sender or recipient */
#define FETCH_SMTP_HDR_MAX   65536  /* header bytes scanned for Return-Path */
#define FETCH_SMTP_DATA_MS   600000 /* wait for the reply to DATA's end */

#endif
