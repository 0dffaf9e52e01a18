# AUTH without argument lists the mechanisms (SCRAM-SHA-256-PLUS: the test
# client speaks TLS 1.3); unknown ones are refused, and so is CRAM-MD5
# unless --cram-md5 is given (027-auth-cram-md5.t); mechanism names are
# case-insensitive.
@title AUTH mechanism list and unknown mechanism
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: AUTH
S: +OK
S: SCRAM-SHA-256-PLUS
S: SCRAM-SHA-256
S: PLAIN
S: LOGIN
S: .
C: AUTH CRAM-MD5
S: -ERR Unsupported authentication mechanism
C: AUTH SCRAM-SHA-1
S: -ERR Unsupported authentication mechanism
# SCRAM-SHA-256 with an initial response (RFC 5802's example client-first
# "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL"): the server-first challenge comes
# back (for an unknown user too); "*" cancels it.
C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: *
S: -ERR Authentication cancelled
C: auth plain AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
