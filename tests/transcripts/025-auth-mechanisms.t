# AUTH without argument lists the mechanisms; unknown ones are refused;
# mechanism names are case-insensitive.
@title AUTH mechanism list and unknown mechanism
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C: AUTH
S: +OK
S: PLAIN
S: LOGIN
S: .
C: AUTH CRAM-MD5
S: -ERR Unsupported authentication mechanism
C: AUTH SCRAM-SHA-256 biwsbj11c2VyLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdM
S: -ERR Unsupported authentication mechanism
C: auth plain AGFsaWNlAHdvbmRlcmxhbmQtN1E=
S: +OK Logged in, 3 messages (192 octets)
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
