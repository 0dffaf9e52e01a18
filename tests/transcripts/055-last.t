# LAST (RFC 1460, obsolete) only with --enable-last: the highest message
# number accessed; RSET resets it to 0.
@title LAST with --enable-last
@server --enable-last
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: LAST
S: -ERR Command not valid in this state
LOGIN alice wonderland-7Q
C: LAST
S: +OK 0
C: RETR 2
S: +OK 53 octets
S. alice 2
C: LAST
S: +OK 2
C: RETR 1
S: +OK 84 octets
S. alice 1
C: LAST
S: +OK 2
C: RSET
S: +OK
C: LAST
S: +OK 0
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
