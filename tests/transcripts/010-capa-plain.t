# Before TLS with plaintext auth disallowed: no USER, no SASL, but STLS.
@title CAPA on the plain port before STLS
@user alice wonderland-7Q
CONNECT plain
S: +OK POP3 server ready
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: STLS
S: .
C: QUIT
S: +OK Bye
CLOSED
