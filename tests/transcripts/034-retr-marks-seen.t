# RETR moves the message from new/ to cur/ with the S flag at QUIT; TOP
# and untouched messages are not marked seen.
@title RETR then QUIT marks seen (new/ -> cur/ :2,S)
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: UIDL 1
S~ ^\+OK 1 (?P<u1>\S+)$
C: RETR 1
S: +OK 84 octets
S. alice 1
C: TOP 2 0
S: +OK
S. alice 2 top=0
FS: alice exists new/{1}
C: QUIT
S: +OK Bye, 0 messages deleted
FS: alice missing new/{1}
FS: alice exists cur/{1}:2,S
FS: alice count */{2}* 1
FS: alice missing cur/{2}:2,*S*
FS: alice count */{3}* 1
FS: alice missing cur/{3}:2,*S*
CLOSED
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: LIST
S: +OK 3 messages (192 octets)
S: 1 84
S: 2 53
S: 3 55
S: .
# the UIDL survives the move to cur/ (else clients download it again)
C: UIDL 1
S: +OK 1 ${u1}
C: RETR 1
S: +OK 84 octets
S. alice 1
C: QUIT
S: +OK Bye, 0 messages deleted
FS: alice exists cur/{1}:2,S
FS: alice count */{1}* 1
CLOSED
