# Commands pipelined after STLS in the same packet are discarded (CVE-2011-
# 0411 class, RFC 2595 section 3.1): nothing answers the injected CAPA or
# USER, the client's own CAPA inside TLS gets exactly one reply.
@title STLS command injection is discarded
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C> STLS\r\nCAPA\r\n
S: +OK Begin TLS negotiation
STARTTLS
NOMORE 0.5
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
NOMORE 0.3
C: QUIT
S: +OK Bye
CLOSED
CONNECT plain
S: +OK POP3 server ready
C> STLS\r\nUSER alice\r\nPASS wonderland-7Q\r\nDELE 1\r\nQUIT\r\n
S: +OK Begin TLS negotiation
STARTTLS
NOMORE 0.5
C: PASS wonderland-7Q
S: -ERR No USER given
C: STAT
S: -ERR Command not valid in this state
C: QUIT
S: +OK Bye
CLOSED
FS: alice exists new/{1}
