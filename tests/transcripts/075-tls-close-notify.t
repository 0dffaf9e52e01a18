# After QUIT on a TLS connection (implicit TLS and after STLS) the server
# ends TLS with a close_notify alert before closing TCP (RFC 8446 section
# 6.1); without it OpenSSL 3 clients report "unexpected eof while reading"
# and cannot tell a clean end from a truncation.
@title TLS close_notify after QUIT
@user alice wonderland-7Q
CONNECT tls
S: +OK POP3 server ready
C: QUIT
S: +OK Bye
TLSCLOSED
CONNECT plain
S: +OK POP3 server ready
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
LOGIN alice wonderland-7Q
C: QUIT
S: +OK Bye, 0 messages deleted
TLSCLOSED
