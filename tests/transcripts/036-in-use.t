# A second session for the same mailbox is refused with [IN-USE] while the
# first is open, and works after the first QUIT.
@title IN-USE for a concurrent login
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls first
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 1
S: +OK Message deleted
CONNECT tls second
S: +OK POP3 server ready
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: -ERR [IN-USE] Mailbox is locked by another session
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: -ERR [IN-USE] Mailbox is locked by another session
C: STAT
S: -ERR Command not valid in this state
USE first
C: STAT
S: +OK 2 108
C: QUIT
S: +OK Bye, 1 messages deleted
CLOSED
USE second
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 2 messages (108 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
