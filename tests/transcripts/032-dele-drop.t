# A dropped connection (no QUIT) deletes nothing (RFC 1939 section 6).
@title DELE then drop: nothing deleted
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 1
S: +OK Message deleted
C: DELE 2
S: +OK Message deleted
C: RETR 3
S: +OK 55 octets
S. alice 3
DROP
WAITLOG session end: user=alice
FS: alice exists new/{1}
FS: alice exists new/{2}
FS: alice count */{3}* 1
FS: alice missing cur/{3}:2,*S*
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
