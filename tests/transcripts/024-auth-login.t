# AUTH LOGIN: "+ VXNlcm5hbWU6" (Username:), "+ UGFzc3dvcmQ6" (Password:);
# the initial response is the user name.  YWxpY2U= alice,
# d3Jvbmc= wrong, d29uZGVybGFuZC03UQ== wonderland-7Q
@title AUTH LOGIN
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: YWxpY2U=
S: + UGFzc3dvcmQ6
C: d3Jvbmc=
S: -ERR [AUTH] Authentication failed
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: *
S: -ERR Authentication cancelled
C: AUTH LOGIN YWxpY2U=
S: + UGFzc3dvcmQ6
C: *
S: -ERR Authentication cancelled
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: ####
S: -ERR Invalid base64 data
C: AUTH LOGIN YWxpY2U=
S: + UGFzc3dvcmQ6
C: d29uZGVybGFuZC03UQ==
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
CONNECT tls
S: +OK POP3 server ready
C: AUTH LOGIN
S: + VXNlcm5hbWU6
C: YWxpY2U=
S: + UGFzc3dvcmQ6
C: d29uZGVybGFuZC03UQ==
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
