@title LAST and APOP are unknown commands by default
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: LAST
S: -ERR Unknown command
C: APOP alice c4c9334bac560ecc979e58001b3e22fb
S: -ERR Unknown command
LOGIN alice wonderland-7Q
C: LAST
S: -ERR Unknown command
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
