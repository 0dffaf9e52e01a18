# Greeting on both ports; QUIT before login says "+OK Bye" and closes.
@title greeting and QUIT in AUTHORIZATION
@user alice wonderland-7Q
CONNECT plain
S: +OK POP3 server ready
C: QUIT
S: +OK Bye
CLOSED
CONNECT tls
S: +OK POP3 server ready
C: QUIT
S: +OK Bye
CLOSED
