# A wrong password and an unknown user get the identical reply; PASS
# without USER is refused; USER without a name is an argument error.
@title USER/PASS failures
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: PASS wonderland-7Q
S: -ERR No USER given
C: USER
S: -ERR Invalid arguments
C: USER alice
S: +OK
C: PASS wonderland-7R
S: -ERR [AUTH] Authentication failed
C: USER mallory
S: +OK
C: PASS wonderland-7Q
S: -ERR [AUTH] Authentication failed
C: STAT
S: -ERR Command not valid in this state
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
