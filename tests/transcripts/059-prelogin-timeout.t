# --prelogin-timeout 1: an idle unauthenticated connection is told and
# closed, on both ports.
@title idle timeout before login
@server --prelogin-timeout 1
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
S: -ERR Idle timeout, closing connection
CLOSED 3
CONNECT tls
S: +OK POP3 server ready
C: CAPA
S: +OK Capability list follows
S* ^\.$
S: -ERR Idle timeout, closing connection
CLOSED 3
