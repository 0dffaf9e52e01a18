# Keywords are case-insensitive (RFC 1939 section 3).
@title case-insensitive keywords
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S: +OK POP3 server ready
C: capa
S: +OK Capability list follows
S* ^\.$
C: StLs
S: +OK Begin TLS negotiation
STARTTLS
C: user alice
S: +OK
C: pAsS wonderland-7Q
S: +OK Logged in, 3 messages (192 octets)
C: stat
S: +OK 3 192
C: list 2
S: +OK 2 53
C: Uidl 2
S~ ^\+OK 2 \S+$
C: top 2 0
S: +OK
S. alice 2 top=0
C: rEtR 2
S: +OK 53 octets
S. alice 2
C: dele 3
S: +OK Message deleted
C: rset
S: +OK
C: noop
S: +OK
C: quit
S: +OK Bye, 0 messages deleted
CLOSED
