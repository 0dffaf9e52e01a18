# USER/PASS on the TLS port; the login reply counts messages and octets
# (octets with CRLF line ends: message 3 is stored with bare LFs).
@title USER and PASS
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 3 messages (192 octets)
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
