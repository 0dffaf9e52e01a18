# Default limit: 10 bad commands. Twenty pipelined unknown commands give
# nine "Unknown command" replies, then the closing reply and the close.
@title default bad-command limit is 10
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C> A1\r\nA2\r\nA3\r\nA4\r\nA5\r\nA6\r\nA7\r\nA8\r\nA9\r\nA10\r\nA11\r\nA12\r\nA13\r\nA14\r\nA15\r\nA16\r\nA17\r\nA18\r\nA19\r\nA20\r\n
REPEAT 9
S: -ERR Unknown command
S: -ERR Too many bad commands, closing connection
CLOSED
