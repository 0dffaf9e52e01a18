# Dot-stuffing (RFC 1939 section 3) and bare LF -> CRLF, exact bytes on the
# wire; a message that is only "."; an empty message. (Messages without a
# final line end are in 064-no-final-newline.t.)
@title dot-stuffing and bare LF
@user alice wonderland-7Q
@mail alice inline:Subject: dots\r\n\r\n.hidden\r\n..two\r\n.\r\n. space\r\nbare\nlf\r\n.\n..\nend\r\n
@mail alice inline:.\r\n
@mail alice inline:
@mail alice inline:\n
@mail alice inline:Subject: crlf.crlf\r\n\r\nbody\r\n.\r\n\r\n.\r\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: RETR 1
S: +OK 67 octets
S: Subject: dots
S: 
S: ..hidden
S: ...two
S: ..
S: .. space
S: bare
S: lf
S: ..
S: ...
S: end
S: .
C: RETR 1
S: +OK 67 octets
S. alice 1
ASSERT octets == 67
C: TOP 1 3
S: +OK
S: Subject: dots
S: 
S: ..hidden
S: ...two
S: ..
S: .
C: RETR 2
S: +OK 3 octets
S: ..
S: .
C: RETR 3
S: +OK 0 octets
S: .
C: RETR 4
S: +OK 2 octets
S: 
S: .
C: RETR 5
S: +OK 36 octets
S: Subject: crlf.crlf
S: 
S: body
S: ..
S: 
S: ..
S: .
C: LIST
S: +OK 5 messages (108 octets)
S: 1 67
S: 2 3
S: 3 0
S: 4 2
S: 5 36
S: .
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
