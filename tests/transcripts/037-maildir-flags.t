# Maildir info flags (cr.yp.to/proto/maildir.html): messages already in
# cur/ are served too; RETR adds S keeping the other flags in ASCII order;
# a message that already has S keeps its name. (All four are retrieved,
# so the listing order does not matter here.)
@title Maildir flags: messages in cur/, S added in order
@user alice wonderland-7Q
@mail alice dir=cur name=1700000001.M1P1.lab:2,F inline:Subject: flagged\r\n\r\none\r\n
@mail alice dir=cur name=1700000002.M2P1.lab inline:Subject: no info\r\n\r\ntwo\r\n
@mail alice dir=cur name=1700000003.M3P1.lab:2,RS inline:Subject: replied seen\r\n\r\nthree\r\n
@mail alice name=1700000004.M4P1.lab inline:Subject: new\r\n\r\nfour\r\n
CONNECT tls
S: +OK POP3 server ready
C: USER alice
S: +OK
C: PASS wonderland-7Q
S: +OK Logged in, 4 messages (104 octets)
C: RETR 1
S~ ^\+OK (25|32|22) octets$
S* ^\.$
C: RETR 2
S~ ^\+OK (25|32|22) octets$
S* ^\.$
C: RETR 3
S~ ^\+OK (25|32|22) octets$
S* ^\.$
C: RETR 4
S~ ^\+OK (25|32|22) octets$
S* ^\.$
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
FS: alice exists cur/1700000001.M1P1.lab:2,FS
FS: alice exists cur/1700000002.M2P1.lab:2,S
FS: alice exists cur/1700000003.M3P1.lab:2,RS
FS: alice exists cur/1700000004.M4P1.lab:2,S
FS: alice count */* 4
