# The TRANSACTION commands on three messages (84, 53 and 55 octets; the
# third is stored with bare LFs, 50 bytes on disk, 55 on the wire).
@title STAT LIST UIDL RETR TOP NOOP RSET
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: STAT
S: +OK 3 192
C: LIST
S: +OK 3 messages (192 octets)
S: 1 84
S: 2 53
S: 3 55
S: .
C: LIST 2
S: +OK 2 53
C: LIST 3
S: +OK 3 55
C: UIDL
S: +OK
S~ ^1 (?P<u1>[\x21-\x7e]{1,70})$
S~ ^2 (?P<u2>[\x21-\x7e]{1,70})$
S~ ^3 (?P<u3>[\x21-\x7e]{1,70})$
S: .
ASSERT u1 != u2 and u2 != u3 and u1 != u3
C: UIDL 2
S: +OK 2 ${u2}
C: RETR 1
S: +OK 84 octets
S. alice 1
ASSERT octets == 84
C: RETR 3
S: +OK 55 octets
S: Subject: three
S: X-Bare: lf
S: 
S: body with bare LF
S: last
S: .
C: TOP 1 0
S: +OK
S: From: a@example.org
S: To: alice@example.org
S: Subject: one
S: 
S: .
C: TOP 1 2
S: +OK
S. alice 1 top=2
ASSERT lines == 6
C: TOP 3 1
S: +OK
S: Subject: three
S: X-Bare: lf
S: 
S: body with bare LF
S: .
C: TOP 2 100
S: +OK
S. alice 2
C: NOOP
S: +OK
C: RSET
S: +OK
C: STAT
S: +OK 3 192
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
# UIDs are stable across sessions.
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: UIDL 1
S: +OK 1 ${u1}
C: UIDL 3
S: +OK 3 ${u3}
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
