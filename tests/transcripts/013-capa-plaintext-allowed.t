# --allow-plaintext-auth: USER and SASL before TLS too, STLS still offered;
# after a plaintext login STLS is gone.
@title CAPA with --allow-plaintext-auth
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
S: STLS
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
