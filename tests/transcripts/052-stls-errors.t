# STLS with TLS already active (implicit port, or a second STLS), and
# STLS after a plaintext login.
@title STLS when not allowed
@server --allow-plaintext-auth
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: STLS
S: -ERR TLS already active
C: CAPA
S: +OK Capability list follows
S: TOP
S: USER
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN
S: .
C: QUIT
S: +OK Bye
CLOSED
CONNECT plain
S: +OK POP3 server ready
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
C: STLS
S: -ERR TLS already active
C: QUIT
S: +OK Bye
CLOSED
CONNECT plain
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: STLS
S: -ERR Command not valid in this state
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
