@title CAPA on the implicit-TLS port before and after login
@user alice wonderland-7Q
CONNECT tls
S: +OK POP3 server ready
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
LOGIN alice wonderland-7Q
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: IMPLEMENTATION postie
S: .
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
