# A user whose Maildir does not exist cannot open it.
@title missing Maildir: [SYS/PERM]
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
@user carol carol-pass-3X nomaildir
CONNECT tls
S: +OK POP3 server ready
C: USER carol
S: +OK
C: PASS carol-pass-3X
S: -ERR [SYS/PERM] Mailbox unavailable
C: STAT
S: -ERR Command not valid in this state
C: QUIT
S: +OK Bye
CLOSED
