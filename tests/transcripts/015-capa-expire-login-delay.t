# EXPIRE NEVER and LOGIN-DELAY 60 are advertised before and after login,
# in the documented tag order.
@title CAPA with --expire never --login-delay 60
@server --expire never --login-delay 60
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
S: EXPIRE NEVER
S: LOGIN-DELAY 60
S: .
LOGIN alice wonderland-7Q
C: CAPA
S: +OK Capability list follows
S: TOP
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: EXPIRE NEVER
S: LOGIN-DELAY 60
S: IMPLEMENTATION postie
S: .
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
