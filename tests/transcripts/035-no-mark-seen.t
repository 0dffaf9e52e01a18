@title --no-mark-seen: RETR does not set the S flag
@server --no-mark-seen
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: RETR 1
S: +OK 84 octets
S. alice 1
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice count */{1}* 1
FS: alice missing cur/{1}:2,*S*
