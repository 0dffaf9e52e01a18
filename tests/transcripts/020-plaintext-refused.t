# Default: no password may cross a plaintext connection. Every way to send
# one is refused with the same [AUTH] reply; after STLS login works.
@title plaintext authentication refused before STLS
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C: USER alice
S: -ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS or port 995
C: AUTH PLAIN AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: -ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS or port 995
C: AUTH PLAIN
S: -ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS or port 995
C: AUTH LOGIN
S: -ERR [AUTH] Plaintext authentication disallowed without TLS; use STLS or port 995
C: STAT
S: -ERR Command not valid in this state
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
