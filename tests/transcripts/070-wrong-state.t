# Every command in the state where it does not belong.
@title commands in the wrong state
@server --max-bad-commands 100 --enable-last
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: STAT
S: -ERR Command not valid in this state
C: LIST
S: -ERR Command not valid in this state
C: LIST 1
S: -ERR Command not valid in this state
C: UIDL
S: -ERR Command not valid in this state
C: UIDL 1
S: -ERR Command not valid in this state
C: RETR 1
S: -ERR Command not valid in this state
C: TOP 1 0
S: -ERR Command not valid in this state
C: DELE 1
S: -ERR Command not valid in this state
C: NOOP
S: -ERR Command not valid in this state
C: RSET
S: -ERR Command not valid in this state
C: LAST
S: -ERR Command not valid in this state
C: XYZZY
S: -ERR Unknown command
LOGIN alice wonderland-7Q
C: USER alice
S: -ERR Command not valid in this state
C: PASS wonderland-7Q
S: -ERR Command not valid in this state
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: -ERR Command not valid in this state
C: AUTH
S: -ERR Command not valid in this state
C: STLS
S: -ERR Command not valid in this state
C: APOP alice c4c9334bac560ecc979e58001b3e22fb
S: -ERR Unknown command
C: XYZZY
S: -ERR Unknown command
C: CAPA
S: +OK Capability list follows
S* ^\.$
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice count new/* 3
