# State from before STLS is forgotten: a USER given in plaintext does not
# survive the handshake (RFC 2595 section 4).
@title pre-TLS USER is forgotten after STLS
@server --allow-plaintext-auth
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C: USER alice
S: +OK
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
C: PASS wonderland-7Q
S: -ERR No USER given
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
