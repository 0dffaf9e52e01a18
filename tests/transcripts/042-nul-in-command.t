# A NUL byte anywhere in a command line is refused, and the line is
# consumed whole.
@title NUL in a command
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C> USER al\x00ice\r\n
S: -ERR NUL byte in command
C> \x00\r\n
S: -ERR NUL byte in command
LOGIN alice wonderland-7Q
C> NO\x00OP\r\n
S: -ERR NUL byte in command
C> STAT\x00\r\nNOOP\r\n
S: -ERR NUL byte in command
S: +OK
C> DELE 1\x00\r\n
S: -ERR NUL byte in command
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice exists new/{1}
