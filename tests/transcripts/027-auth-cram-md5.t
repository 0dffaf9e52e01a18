# AUTH CRAM-MD5 (RFC 2195, RFC 5034) at the protocol level, turned on with
# --cram-md5. The secrets file named here does not exist, so every response
# fails like a wrong secret; real logins (which need the HMAC of the
# challenge) are in tests/interop/test_cram_md5.py and the unit tests.
# Client messages used here (base64 of):
#   alice b913a602c7eda7a495b4e6e7334d3890   a well-formed, wrong response
@title AUTH CRAM-MD5: where offered, server first, cancel, failures
@server --cram-md5 --apop-secrets no-such-secrets-file --penalty-base 0
@user alice wonderland-7Q
CONNECT plain
S: +OK POP3 server ready
# Before TLS: offered only where PLAIN is.
C: AUTH
S: +OK
S: .
C: AUTH CRAM-MD5
S: -ERR [AUTH] Authentication disallowed without TLS; use STLS or port 995
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
C: CAPA
S: +OK Capability list follows
S: TOP
S: USER
S: UIDL
S: RESP-CODES
S: AUTH-RESP-CODE
S: PIPELINING
S: SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5
S: .
C: AUTH
S: +OK
S: SCRAM-SHA-256-PLUS
S: SCRAM-SHA-256
S: PLAIN
S: LOGIN
S: CRAM-MD5
S: .
# Server first: no initial response (a bad command, no exchange).
C: AUTH CRAM-MD5 YWxpY2UgYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA=
S: -ERR CRAM-MD5 takes no initial response
# The challenge "<digits.0@localhost>" (base64 "PD...") comes from the
# credential process, new every time.
C: auth cram-md5
S~ ^\+ (?P<ch>PD[A-Za-z0-9+/]+={0,2})$
C: *
S: -ERR Authentication cancelled
C: AUTH CRAM-MD5
S~ ^\+ (?P<ch2>PD[A-Za-z0-9+/]+={0,2})$
ASSERT ch != ch2
C: !!!notbase64
S: -ERR Invalid base64 data
# A wrong response fails like a wrong password, with one log line.
C: AUTH CRAM-MD5
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: YWxpY2UgYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA=
S: -ERR [AUTH] Authentication failed
WAITLOG auth failed: user="alice" source=127\.0\.0\.1 mech=CRAM-MD5 tls=yes counted=yes failures=1
# An empty response too.
C: AUTH CRAM-MD5
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: =
S: -ERR [AUTH] Authentication failed
WAITLOG auth failed: user="" source=127\.0\.0\.1 mech=CRAM-MD5 tls=yes counted=yes failures=2
# The session is still usable.
LOGIN alice wonderland-7Q
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
