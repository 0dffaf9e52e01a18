# No certificate configured: no STLS tag, and STLS says TLS is unavailable.
@title CAPA and STLS without a certificate
@nocert
@server --allow-plaintext-auth
@user alice wonderland-7Q
CONNECT plain
S: +OK POP3 server ready
C: CAPA
S: +OK Capability list follows
S: TOP
S: USER
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: SASL SCRAM-SHA-256 PLAIN LOGIN
S: .
C: STLS
S: -ERR TLS not available
LOGIN alice wonderland-7Q
C: STAT
S: +OK 0 0
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
