# If the files of deleted messages cannot be removed at QUIT (here new/ is
# made read-only), the client is told: "-ERR [SYS/TEMP] Some deleted
# messages were not removed", and the messages are still there next time.
@title QUIT reports deletions that failed
@user alice wonderland-7Q
@mail alice inline:Subject: one\r\n\r\nbody\r\n
@mail alice inline:Subject: two\r\n\r\nbody\r\n
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: DELE 1
S: +OK Message deleted
CHMOD alice new 0555
C: QUIT
S: -ERR [SYS/TEMP] Some deleted messages were not removed
CLOSED
CHMOD alice new 0755
FS: alice exists new/{1}
CONNECT tls
S: +OK POP3 server ready
LOGIN alice wonderland-7Q
C: STAT
S: +OK 2 44
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
