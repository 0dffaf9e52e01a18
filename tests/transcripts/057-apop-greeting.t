# With --apop the greeting carries an RFC 1939 timestamp <pid.time@host>,
# different for every connection.
@title APOP greeting timestamp
@server --apop
@user alice wonderland-7Q
@mail alice inline:From: a@example.org\r\nTo: alice@example.org\r\nSubject: one\r\n\r\nline 1\r\nline 2\r\nline 3\r\n
@mail alice inline:From: b@example.org\r\nSubject: two\r\n\r\nsecond message\r\n
@mail alice inline:Subject: three\nX-Bare: lf\n\nbody with bare LF\nlast\n
CONNECT plain
S~ ^\+OK POP3 server ready (?P<ts1><[\x21-\x7e]+@[\x21-\x3d\x3f-\x7e]+>)$
C: QUIT
S: +OK Bye
CLOSED
SLEEP 1.1
CONNECT tls
S~ ^\+OK POP3 server ready (?P<ts2><[\x21-\x7e]+@[\x21-\x3d\x3f-\x7e]+>)$
ASSERT ts1 != ts2
C: QUIT
S: +OK Bye
CLOSED
