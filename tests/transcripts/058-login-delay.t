# --login-delay 60: a second login of the same user within 60 s is refused
# with [LOGIN-DELAY]; other users are not affected.
@title LOGIN-DELAY enforced
@server --login-delay 60
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
@user bob builder-9Z
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
CONNECT tls
S: +OK POP3 server ready
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: -ERR [LOGIN-DELAY] Logins must be at least 60 seconds apart
C: STAT
S: -ERR Command not valid in this state
C: USER bob
S: +OK
C: PASS builder-9Z
S: +OK Logged in, 0 messages (0 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
