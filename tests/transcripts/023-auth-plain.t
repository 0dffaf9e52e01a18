# AUTH PLAIN (RFC 4616) with an initial response and with a continuation.
#   AGFsaWNlAHdvbmRlcmxhbmQtN1E=          \0alice\0wonderland-7Q
#   AGFsaWNlAHdyb25n                      \0alice\0wrong
#   AG1hbGxvcnkAd29uZGVybGFuZC03UQ==      \0mallory\0wonderland-7Q
#   YWxpY2UAYWxpY2UAd29uZGVybGFuZC03UQ==  alice\0alice\0wonderland-7Q
#   Ym9iAGFsaWNlAHdvbmRlcmxhbmQtN1E=      bob\0alice\0wonderland-7Q (authzid
#                                         another user: must not log in)
@title AUTH PLAIN
# Each failed login from a source doubles the next delay (penalty-base 1 s),
# so later replies here take several seconds.
@timeout 40
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
@user bob builder-9Z
CONNECT tls
S: +OK POP3 server ready
C: AUTH PLAIN AGFsaWNlAHdyb25n
S: -ERR [AUTH] Authentication failed
C: AUTH PLAIN AG1hbGxvcnkAd29uZGVybGFuZC03UQ==
S: -ERR [AUTH] Authentication failed
C: AUTH PLAIN
S: +\x20
C: *
S: -ERR Authentication cancelled
C: AUTH PLAIN
S: +\x20
C: !!!not-base64!!!
S: -ERR Invalid base64 data
C: AUTH PLAIN @@@@
S: -ERR Invalid base64 data
C: AUTH PLAIN Ym9iAGFsaWNlAHdvbmRlcmxhbmQtN1E=
S~ ^-ERR .*$
C: STAT
S: -ERR Command not valid in this state
# RFC 5034 section 4: a SASL response line may exceed 255 octets (here
# 334 octets: a 240-character wrong password); it reaches the password
# check instead of being cut as an over-long command.
C: AUTH PLAIN
S: +\x20
C: AGFsaWNlAHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA==
S: -ERR [AUTH] Authentication failed
C: AUTH PLAIN
S: +\x20
C: AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: +OK Logged in, 3 messages (192 octets)
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
CONNECT tls
S: +OK POP3 server ready
C: AUTH PLAIN YWxpY2UAYWxpY2UAd29uZGVybGFuZC03UQ==
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
