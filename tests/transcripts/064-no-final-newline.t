# A message whose last line has no line end: the server must end it with
# CRLF before the terminating "." (RFC 1939 section 3), and the size it
# announces (STAT, LIST, "+OK n octets") must count the octets it then
# sends: LIST size == RETR body size.
@title missing final newline: size equals the octets sent
@user alice wonderland-7Q
@mail alice inline:Subject: x\r\n\r\nend without newline
@mail alice inline:Subject: x\r\n\r\nlast line is a dot\r\n.
@mail alice corpus:116-no-final-newline-trailing-dot.eml
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: RETR 1
S~ ^\+OK (?P<r1>\d+) octets$
S: Subject: x
S: 
S: end without newline
S: .
C: RETR 2
S~ ^\+OK (?P<r2>\d+) octets$
S: Subject: x
S: 
S: last line is a dot
S: ..
S: .
C: RETR 3
S~ ^\+OK (?P<r3>\d+) octets$
S. alice 3 as=o3
C: LIST
S~ ^\+OK 3 messages \((?P<total>\d+) octets\)$
S~ ^1 (?P<l1>\d+)$
S~ ^2 (?P<l2>\d+)$
S~ ^3 (?P<l3>\d+)$
S: .
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
ASSERT r1 == l1 and r2 == l2 and r3 == l3
ASSERT total == l1 + l2 + l3
ASSERT o3 == l3
ASSERT l1 == 35
ASSERT l2 == 37
