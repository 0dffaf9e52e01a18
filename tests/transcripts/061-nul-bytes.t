# NUL bytes in a message are sent as stored (and counted in its size).
@title NUL bytes in a message are delivered as stored
@user alice wonderland-7Q
@mail alice inline:Subject: nul\r\n\r\nA\x00B\r\n\x00\r\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: LIST 1
S: +OK 1 24
C: RETR 1
S: +OK 24 octets
S: Subject: nul
S: 
S: A\x00B
S: \x00
S: .
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
