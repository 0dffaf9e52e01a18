# Real messages (CRLF, LF, mixed, no final newline, a trailing '.', NULs,
# binary, 7000-octet lines, 1-2 MB): each RETR body equals the stored
# message with CRLF line ends (content checked first for all), then each
# size announced by LIST and RETR equals the octets RETR delivered.
@title RETR of corpus messages: exact bytes and sizes
@user alice wonderland-7Q
@mail alice corpus:003-plain-crlf.eml
@mail alice corpus:004-plain-lf.eml
@mail alice corpus:010-no-header-block.eml
@mail alice corpus:012-header-no-separating-newline.eml
@mail alice corpus:048-enclosed-message-mixed-eol.eml
@mail alice corpus:056-b64-attachment-only-no-eol.eml
@mail alice corpus:098-long-lines-7000.eml
@mail alice corpus:116-no-final-newline-trailing-dot.eml
@mail alice corpus:137-intermediate-boundaries-dot.eml
@mail alice corpus:144-nul-bytes-spam.eml
@mail alice corpus:190-binary-cte-jpeg.eml
@mail alice corpus:195-mboxrd-file-as-message.eml
@mail alice corpus:020-large-plain-1mb.eml
@mail alice corpus:035-mime-torture-1.8mb.eml
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
# 003-plain-crlf.eml
C: LIST 1
S~ ^\+OK 1 (?P<sz1>\d+)$
C: RETR 1
S~ ^\+OK (?P<r1>\d+) octets$
S. alice 1 as=o1
# 004-plain-lf.eml
C: LIST 2
S~ ^\+OK 2 (?P<sz2>\d+)$
C: RETR 2
S~ ^\+OK (?P<r2>\d+) octets$
S. alice 2 as=o2
# 010-no-header-block.eml
C: LIST 3
S~ ^\+OK 3 (?P<sz3>\d+)$
C: RETR 3
S~ ^\+OK (?P<r3>\d+) octets$
S. alice 3 as=o3
# 012-header-no-separating-newline.eml
C: LIST 4
S~ ^\+OK 4 (?P<sz4>\d+)$
C: RETR 4
S~ ^\+OK (?P<r4>\d+) octets$
S. alice 4 as=o4
# 048-enclosed-message-mixed-eol.eml
C: LIST 5
S~ ^\+OK 5 (?P<sz5>\d+)$
C: RETR 5
S~ ^\+OK (?P<r5>\d+) octets$
S. alice 5 as=o5
# 056-b64-attachment-only-no-eol.eml
C: LIST 6
S~ ^\+OK 6 (?P<sz6>\d+)$
C: RETR 6
S~ ^\+OK (?P<r6>\d+) octets$
S. alice 6 as=o6
# 098-long-lines-7000.eml
C: LIST 7
S~ ^\+OK 7 (?P<sz7>\d+)$
C: RETR 7
S~ ^\+OK (?P<r7>\d+) octets$
S. alice 7 as=o7
# 116-no-final-newline-trailing-dot.eml
C: LIST 8
S~ ^\+OK 8 (?P<sz8>\d+)$
C: RETR 8
S~ ^\+OK (?P<r8>\d+) octets$
S. alice 8 as=o8
# 137-intermediate-boundaries-dot.eml
C: LIST 9
S~ ^\+OK 9 (?P<sz9>\d+)$
C: RETR 9
S~ ^\+OK (?P<r9>\d+) octets$
S. alice 9 as=o9
# 144-nul-bytes-spam.eml
C: LIST 10
S~ ^\+OK 10 (?P<sz10>\d+)$
C: RETR 10
S~ ^\+OK (?P<r10>\d+) octets$
S. alice 10 as=o10
# 190-binary-cte-jpeg.eml
C: LIST 11
S~ ^\+OK 11 (?P<sz11>\d+)$
C: RETR 11
S~ ^\+OK (?P<r11>\d+) octets$
S. alice 11 as=o11
# 195-mboxrd-file-as-message.eml
C: LIST 12
S~ ^\+OK 12 (?P<sz12>\d+)$
C: RETR 12
S~ ^\+OK (?P<r12>\d+) octets$
S. alice 12 as=o12
# 020-large-plain-1mb.eml
C: LIST 13
S~ ^\+OK 13 (?P<sz13>\d+)$
C: RETR 13
S~ ^\+OK (?P<r13>\d+) octets$
S. alice 13 as=o13
# 035-mime-torture-1.8mb.eml
C: LIST 14
S~ ^\+OK 14 (?P<sz14>\d+)$
C: RETR 14
S~ ^\+OK (?P<r14>\d+) octets$
S. alice 14 as=o14
C: TOP 1 0
S: +OK
S. alice 1 top=0
C: TOP 4 2
S: +OK
S. alice 4 top=2
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
# 003-plain-crlf.eml
ASSERT sz1 == r1 == o1
# 004-plain-lf.eml
ASSERT sz2 == r2 == o2
# 010-no-header-block.eml
ASSERT sz3 == r3 == o3
# 012-header-no-separating-newline.eml
ASSERT sz4 == r4 == o4
# 048-enclosed-message-mixed-eol.eml
ASSERT sz5 == r5 == o5
# 056-b64-attachment-only-no-eol.eml
ASSERT sz6 == r6 == o6
# 098-long-lines-7000.eml
ASSERT sz7 == r7 == o7
# 116-no-final-newline-trailing-dot.eml
ASSERT sz8 == r8 == o8
# 137-intermediate-boundaries-dot.eml
ASSERT sz9 == r9 == o9
# 144-nul-bytes-spam.eml
ASSERT sz10 == r10 == o10
# 190-binary-cte-jpeg.eml
ASSERT sz11 == r11 == o11
# 195-mboxrd-file-as-message.eml
ASSERT sz12 == r12 == o12
# 020-large-plain-1mb.eml
ASSERT sz13 == r13 == o13
# 035-mime-torture-1.8mb.eml
ASSERT sz14 == r14 == o14
