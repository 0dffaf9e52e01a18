# SIGTERM: open sessions are told and closed, nothing they marked is
# deleted, and the server exits 0.
@title SIGTERM shuts down cleanly
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 1
S: +OK Message deleted
C: RETR 2
S: +OK 53 octets
S. alice 2
CONNECT plain idle
S: +OK POP3 server ready
SIGTERM
S: -ERR [SYS/TEMP] Server shutting down
CLOSED
USE 1
S: -ERR [SYS/TEMP] Server shutting down
CLOSED
EXIT 0 10
FS: alice exists new/{1}
FS: alice exists new/{2}
