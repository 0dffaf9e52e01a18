# DELE marks only: the message disappears from STAT/LIST/UIDL, RETR/TOP/
# DELE/LIST n/UIDL n on it say it is deleted, and RSET brings it back.
@title DELE hides a message until RSET
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 2
S: +OK Message deleted
C: STAT
S: +OK 2 139
C: LIST
S: +OK 2 messages (139 octets)
S: 1 84
S: 3 55
S: .
C: UIDL
S: +OK
S~ ^1 \S+$
S~ ^3 \S+$
S: .
C: LIST 2
S: -ERR Message is deleted
C: UIDL 2
S: -ERR Message is deleted
C: RETR 2
S: -ERR Message is deleted
C: TOP 2 0
S: -ERR Message is deleted
C: DELE 2
S: -ERR Message is deleted
C: LIST 3
S: +OK 3 55
C: RSET
S: +OK
C: STAT
S: +OK 3 192
C: LIST 2
S: +OK 2 53
C: RETR 2
S: +OK 53 octets
S. alice 2
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice count */{1}* 1
FS: alice count */{2}* 1
FS: alice count */{3}* 1
