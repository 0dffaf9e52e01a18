# --max-bad-commands 3: the third bad command ends the session with
# "-ERR Too many bad commands, closing connection"; commands after it in
# the same packet are not answered.
@title too many bad commands close the connection
@server --max-bad-commands 3
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C: FOO
S: -ERR Unknown command
C: BAR
S: -ERR Unknown command
C> BAZ\r\nCAPA\r\nNOOP\r\n
S: -ERR Too many bad commands, closing connection
CLOSED
# Good commands in between do not reset the count.
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: XYZZY
S: -ERR Unknown command
C: STAT
S: +OK 3 192
C: RETR 1 2
S: -ERR Invalid arguments
C: NOOP
S: +OK
C: DELE 1
S: +OK Message deleted
C: PLUGH
S: -ERR Too many bad commands, closing connection
CLOSED
WAITLOG session end: user=alice
FS: alice exists new/{1}
