# PIPELINING: many commands in one packet are answered in order, with
# multi-line replies in between.
@title pipelined commands answered in order
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT tls
S: +OK POP3 server ready
C> USER alice\r\nPASS wonderland-7Q\r\nSTAT\r\nLIST 2\r\nUIDL 1\r\nRETR 2\r\nNOOP\r\nLIST\r\nDELE 3\r\nSTAT\r\nRSET\r\nTOP 1 0\r\nSTAT\r\n
S: +OK
S: +OK Logged in, 3 messages (192 octets)
S: +OK 3 192
S: +OK 2 53
S~ ^\+OK 1 \S+$
S: +OK 53 octets
S. alice 2
S: +OK
S: +OK 3 messages (192 octets)
S: 1 84
S: 2 53
S: 3 55
S: .
S: +OK Message deleted
S: +OK 2 137
S: +OK
S: +OK
S. alice 1 top=0
S: +OK 3 192
NOMORE
# 100 NOOPs in one write (more than the server reads ahead at once)
C> NOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\nNOOP\r\n
REPEAT 100
S: +OK
NOMORE
C> RETR 1\r\nRETR 2\r\nRETR 3\r\nRETR 1\r\nRETR 2\r\nRETR 3\r\nQUIT\r\n
S: +OK 84 octets
S. alice 1
S: +OK 53 octets
S. alice 2
S: +OK 55 octets
S. alice 3
S: +OK 84 octets
S. alice 1
S: +OK 53 octets
S. alice 2
S: +OK 55 octets
S. alice 3
S: +OK Bye, 0 messages deleted
CLOSED
