# DELE then QUIT removes the files (before the QUIT reply) and the next
# session renumbers the rest.
@title DELE then QUIT deletes
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 1
S: +OK Message deleted
C: DELE 3
S: +OK Message deleted
C: QUIT
S: +OK Bye, 2 messages deleted
FS: alice missing */{1}*
FS: alice missing */{3}*
FS: alice exists new/{2}
CLOSED
CONNECT tls
S: +OK POP3 server ready
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 1 messages (53 octets)
C: LIST
S: +OK 1 messages (53 octets)
S: 1 53
S: .
C: RETR 1
S: +OK 53 octets
S. alice 2
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
