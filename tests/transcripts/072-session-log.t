# One log line per session end, with user, peer, TLS version, RETR
# count/bytes, DELE count and duration (a top=N field is tolerated).
@title session-end log line
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: RETR 1
S: +OK 84 octets
S. alice 1
C: DELE 2
S: +OK Message deleted
C: QUIT
S: +OK Bye, 1 messages deleted
CLOSED
WAITLOG ^.*session end: user=alice peer=127\.0\.0\.1:\d+ tls=TLSv1\.[23] retr=1/84( top=0)? dele=1 duration=\d+\.\d+s$
