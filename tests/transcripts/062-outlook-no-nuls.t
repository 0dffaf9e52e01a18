# --outlook-no-nuls drops NUL bytes, and the sizes shown by STAT, LIST and
# RETR count the octets actually sent.
@title --outlook-no-nuls drops NUL bytes with consistent sizes
@server --outlook-no-nuls
@user alice wonderland-7Q
@mail alice inline:Subject: nul\r\n\r\nA\x00B\r\n\x00\r\n
@mail alice corpus:144-nul-bytes-spam.eml
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: LIST 1
S: +OK 1 22
C: RETR 1
S: +OK 22 octets
S: Subject: nul
S: 
S: AB
S: 
S: .
C: LIST 2
S~ ^\+OK 2 (?P<sz>\d+)$
C: RETR 2
S: +OK ${sz} octets
S. alice 2 nonuls
ASSERT octets == sz
C: STAT
S~ ^\+OK 2 (?P<total>\d+)$
ASSERT total == sz + 22
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
