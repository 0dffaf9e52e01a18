# A command line that never finishes is not held open forever
# (--slowdrip-timeout 1): the server replies with an error and closes.
@title unfinished command line times out
@server --slowdrip-timeout 1
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C> NOO
S~ ^-ERR .*$
CLOSED 4
