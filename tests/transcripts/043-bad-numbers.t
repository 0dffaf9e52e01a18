# Message numbers are parsed strictly: no sign, no garbage, no wrap-around
# (4294967297 = 2^32 + 1 and 2^64 + 1 must not become message 1).
# Overflow and 0 may be called invalid or nonexistent; either way -ERR.
@title bad message numbers and argument counts
@server --max-bad-commands 100
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: LIST 4294967297
S~ ^-ERR (Invalid message number|No such message)$
C: LIST 18446744073709551617
S~ ^-ERR (Invalid message number|No such message)$
C: RETR 4294967297
S~ ^-ERR (Invalid message number|No such message)$
C: DELE 4294967297
S~ ^-ERR (Invalid message number|No such message)$
C: RETR 0
S~ ^-ERR (Invalid message number|No such message)$
C: RETR +1
S: -ERR Invalid message number
C: RETR -1
S: -ERR Invalid message number
C: RETR 1x
S: -ERR Invalid message number
C: RETR 0x1
S: -ERR Invalid message number
C: LIST abc
S: -ERR Invalid message number
C: UIDL abc
S: -ERR Invalid message number
C: DELE abc
S: -ERR Invalid message number
C: TOP x 1
S: -ERR Invalid message number
C: TOP 1 -1
S~ ^-ERR Invalid (message number|arguments|line count)$
C: TOP 1 x
S~ ^-ERR Invalid (message number|arguments|line count)$
C: RETR 1 2
S: -ERR Invalid arguments
C: LIST 1 2
S: -ERR Invalid arguments
C: RETR
S: -ERR Invalid arguments
C: DELE
S: -ERR Invalid arguments
C: TOP 1
S: -ERR Invalid arguments
C: TOP
S: -ERR Invalid arguments
C: TOP 1 2 3
S: -ERR Invalid arguments
C: STAT 1
S: -ERR Invalid arguments
C: NOOP x
S: -ERR Invalid arguments
C: RETR 99
S: -ERR No such message
C: RETR 4
S: -ERR No such message
C: TOP 4 0
S: -ERR No such message
C: DELE 4
S: -ERR No such message
C: LIST 4
S: -ERR No such message
C: UIDL 99
S: -ERR No such message
C: STAT
S: +OK 3 192
C: LIST 3
S: +OK 3 55
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice count new/* 3
