# AUTH SCRAM-SHA-256 and SCRAM-SHA-256-PLUS at the protocol level (RFC 5034,
# 5802, 7677, 9266). Real logins, which need the client side of SCRAM, are
# in tests/interop/test_scram.py (mpop, GNU SASL) and the unit tests.
# Client messages used here (base64 of):
#   n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL              client-first
#   p=tls-exporter,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL  client-first, -PLUS
#   y,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL              "I could bind, but
#                                   you offer no -PLUS": a downgrade here
#   c=biws,r=fyko+d2lbbFgONRv9qkxdawLxxxx,p=dHzb...    a wrong client-final
@title AUTH SCRAM-SHA-256: where offered, cancel, bad messages, downgrade
# Each failure doubles the next brute-force delay (penalty-base 1 s).
@timeout 40
@user alice wonderland-7Q
CONNECT plain
S: +OK POP3 server ready
# Before TLS: not offered (an eavesdropper could attack the exchange
# offline, RFC 5802 section 9), and -PLUS needs TLS 1.3.
C: AUTH
S: +OK
S: .
C: AUTH SCRAM-SHA-256
S: -ERR [AUTH] Authentication disallowed without TLS; use STLS or port 995
C: AUTH SCRAM-SHA-256-PLUS
S: -ERR SCRAM-SHA-256-PLUS needs TLS 1.3 (tls-exporter channel binding)
C: STLS
S: +OK Begin TLS negotiation
STARTTLS
# Bad base64 ends the exchange.
C: AUTH SCRAM-SHA-256
S: +\x20
C: !!!notbase64
S: -ERR Invalid base64 data
# A challenge, then "*" (the credential process drops the exchange).
C: auth scram-sha-256 biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: *
S: -ERR Authentication cancelled
# A wrong client-final message fails like a wrong password.
C: AUTH SCRAM-SHA-256
S: +\x20
C: biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: Yz1iaXdzLHI9ZnlrbytkMmxiYkZnT05Sdjlxa3hkYXdMeHh4eCxwPWRIemJaYXBXSWs0alVoTitVdGU5eXRhZzl6amZNSGdzcW1taXo3QW5kVlE9
S: -ERR [AUTH] Authentication failed
WAITLOG auth failed: user="alice" source=127\.0\.0\.1 mech=SCRAM-SHA-256 tls=yes counted=yes
# -PLUS: the binding request is accepted (the server has the tls-exporter
# data of this TLS 1.3 connection); cancel before the proof.
C: AUTH SCRAM-SHA-256-PLUS cD10bHMtZXhwb3J0ZXIsLG49YWxpY2Uscj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0w=
S~ ^\+ [A-Za-z0-9+/]+={0,2}$
C: *
S: -ERR Authentication cancelled
# The client says it could bind but thinks we cannot: since -PLUS was
# offered, someone stripped it (RFC 5802 section 6): refused.
C: AUTH SCRAM-SHA-256 eSwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==
S: -ERR [AUTH] Authentication failed
# The session is still usable.
LOGIN alice wonderland-7Q
C: QUIT
S: +OK Bye, 0 messages deleted
CLOSED
